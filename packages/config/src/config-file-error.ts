import { CadreError } from "@cadre/protocol";

/** config.json cannot be read as Cadre's configuration: the message names the file, the field and the fix. */
export class ConfigFileError extends CadreError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      "not_configured",
      `invalid ${file}: ${problem}; fix the file (see README: Configuring a model) and try again`,
      { file },
    );
    this.name = "ConfigFileError";
    this.file = file;
  }
}
