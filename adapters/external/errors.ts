/**
 * Why an external adapter package cannot be installed, loaded or run: a stable `code`, the HTTP status
 * the API answers with, and a sentence the user can act on. The route turns it into the error envelope.
 */
export type AdapterPackageErrorCode =
  | "adapter_path_not_absolute"
  | "adapter_path_not_found"
  | "adapter_package_json_missing"
  | "adapter_package_json_invalid"
  | "adapter_entry_missing"
  | "adapter_ui_parser_unsupported"
  | "adapter_ui_parser_outside_package"
  | "adapter_missing_create_server_adapter"
  | "adapter_missing_type"
  | "adapter_invalid_type"
  | "adapter_load_failed"
  | "adapter_type_conflict"
  | "adapter_invalid_package_name"
  | "adapter_invalid_version"
  | "adapter_npm_unavailable"
  | "adapter_npm_install_failed"
  | "adapter_not_installed";

export class AdapterPackageError extends Error {
  override name = "AdapterPackageError";
  constructor(
    readonly code: AdapterPackageErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
