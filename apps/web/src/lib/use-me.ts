import { useEffect, useState } from "react";
import type { Me } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";

/** Who is signed in, or null until known (and on older servers without /me). */
export function useMe(): Me | null {
  const { client } = useApi();
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    client.call("whoami").then(setMe, () => undefined);
  }, [client]);
  return me;
}
