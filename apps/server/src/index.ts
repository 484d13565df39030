export * from "./start-server.ts";
export * from "./cadre-home.ts";
export { createApp } from "./app.ts";
