import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import { layerRules } from "./eslint-layers.js";

const BARE_ERROR =
  "Throw a CadreError subclass with a code and a message saying what is wrong and what to do (@cadre/protocol), or an InvariantError for a programming error no user can cause (eslint.config.js).";

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
  {
    // One way to fail (ARCHITECTURE.md, Naming): what a person can cause is a CadreError subclass with a
    // code and advice; a broken invariant is an InvariantError. `.abort(new Error(…))` names why a signal
    // fired, which is not a failure a person sees, so it stays allowed.
    files: ["apps/*/src/**/*.{ts,tsx}", "packages/*/src/**/*.{ts,tsx}"],
    ignores: ["**/*.test.{ts,tsx}", "**/testing/**", "**/test-support.ts", "**/testing-*.ts", "**/*-test-suite.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
        {
          selector:
            "NewExpression[callee.name='Error']:not(CallExpression[callee.property.name='abort'] > NewExpression)",
          message: BARE_ERROR,
        },
        { selector: "CallExpression[callee.name='Error']", message: BARE_ERROR },
      ],
    },
  },
  { files: ["**/*.config.ts", "**/*.config.js", "apps/web/vite.config.ts"], rules: { "no-restricted-syntax": "off" } },
);
