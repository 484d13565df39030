import { CadreError } from "@cadre/protocol";
import { checkPrerequisites } from "@cadre/sandbox";

/** Refuses to run attempts without the tools every sandbox needs, naming the Debian packages to install. */
export async function sandboxPreflight(): Promise<void> {
  const report = await checkPrerequisites();
  if (report.ok) return;
  const names = report.missing.map((m) => `${m.tool} (apt-get install ${m.debianPackage})`).join(", ");
  throw new CadreError(
    "not_configured",
    `cannot run attempts: missing ${names}. Install with: apt-get install ${report.missing.map((m) => m.debianPackage).join(" ")}`,
  );
}
