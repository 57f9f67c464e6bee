/** Who may use a test registry, shared by its htpasswd and token modes. */
export interface RegistryUser {
  username: string;
  password: string;
  /** Token auth only: repositories this user may push to (and delete from); `*` matches any run of characters, `"*"` all. Default: all. */
  push?: string[];
  /** Token auth only: repositories this user may pull. Default: all. */
  pull?: string[];
}
