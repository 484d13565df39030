import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import { layerRules } from "./eslint-layers.js";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "test-artifacts/**", "apps/web/dist/**", "apps/vscode/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use named exports." }],
      // Past four positional parameters a call site cannot be read without the signature: take an object.
      "@typescript-eslint/max-params": ["error", { max: 4 }],
    },
  },
  ...layerRules,
  { files: ["**/*.config.ts", "**/*.config.js", "apps/web/vite.config.ts"], rules: { "no-restricted-syntax": "off" } },
);
