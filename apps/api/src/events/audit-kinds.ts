// Every audit kind the system writes (Quay's names) and the metadata each carries: the one catalogue that
// writers are checked against. Entries about a repository also carry `repo` and `namespace`, added by the
// writer (see RepoScoped), so the kinds below list only what is particular to them.
type Tag = { tag: string };
type Digest = { manifest_digest: string };
type Label = Digest & { id: string; key: string; value: string };
type Member = { team: string; member: string };
type Grant = { user?: string; team?: string; robot?: string };

export interface RepoAuditKinds {
  create_repo: { visibility: string };
  delete_repo: Record<string, never>;
  set_repo_description: { description: string };
  change_repo_visibility: { visibility: string };
  push_repo: { tag: string | null } & Digest;
  pull_repo: ({ tag: string } | Digest) & { verb?: string };
  delete_manifest: { digest: string; tags: string[] };
  create_tag: Tag & Digest;
  move_tag: Tag & Digest & { original_manifest_digest: string };
  delete_tag: Tag & Partial<Digest>;
  revert_tag: Tag & Digest & { original_manifest_digest: string | null };
  permanently_delete_tag: Tag & Digest;
  change_tag_expiration: Tag & { expiration_date: string | null; old_expiration_date: string | null };
  manifest_label_add: Label;
  manifest_label_delete: Label;
  add_repo_permission: Grant & { role: string };
  change_repo_permission: Grant & { role: string };
  delete_repo_permission: Grant;
  add_repo_notification: Notification;
  delete_repo_notification: Notification;
  reset_repo_notification: Notification;
  add_repo_authorized_email: { email: string };
  confirm_repo_authorized_email: { email: string };
  /** A build was started (Quay's kind): by hand (manual_user) or by a trigger. */
  build_dockerfile: {
    build_uuid: string;
    docker_tags: string[];
    manual_user?: string | null;
    trigger_id?: string | null;
    trigger_kind?: string | null;
    commit_sha?: string | null;
  };
  cancel_build: { build_uuid: string };
  setup_repo_trigger: {
    trigger_id: string;
    service: string;
    config: Record<string, unknown>;
    pull_robot?: string | null;
  };
  delete_repo_trigger: { trigger_id: string; service: string };
  /**
   * Repository mirroring, as Quay's API and worker log it: every change of the configuration (sync-now and
   * sync-cancel too, as `sync_status`) is a config_changed entry naming the field; a sync's entries carry
   * Quay's `verb` (start, end, Cancelled, lost), message and tags, and the error as `stderr`.
   */
  repo_mirror_config_changed: { changed: string; to: string | number | boolean | string[] | null };
  repo_mirror_sync_started: { verb: string; message: string };
  repo_mirror_sync_success: { verb: string; message: string; tags: string };
  repo_mirror_sync_failed: { verb: string; message: string; tags: string; stderr?: string };
  change_repo_state: { state_changed: string };
  toggle_repo_trigger: { trigger_id: string; service: string; enabled: boolean; reason?: string };
}

/** A repository notification in audit entries (Quay's metadata keys). */
interface Notification {
  notification_id: string;
  event: string;
  method: string;
}

export interface NamespaceAuditKinds {
  user_create: { username: string };
  user_delete: { username: string };
  user_enable: { username: string };
  user_disable: { username: string };
  user_change_password: { username: string };
  account_change_password: Record<string, never>;
  account_change_email: { email: string };
  account_confirm_email: { email: string };
  /** The window as chosen, e.g. "2w" (one of TAG_EXPIRATION_OPTIONS). */
  change_namespace_tag_expiration: { namespace: string; tag_expiration: string };
  org_create: { namespace: string };
  org_delete: { namespace: string };
  org_change_name: { old_name: string; new_name: string };
  org_create_quota: { namespace: string; limit_bytes: string };
  org_change_quota: { namespace: string; limit_bytes: string };
  org_delete_quota: { namespace: string };
  org_create_quota_limit: { namespace: string; type: string; threshold_percent: number };
  org_change_quota_limit: { namespace: string; type: string; threshold_percent: number };
  org_delete_quota_limit: { namespace: string; id: string };
  /** A superuser changed the default Reject limit of namespaces without a quota ("0": none). */
  change_system_quota: { limit_bytes: string };
  user_change_email: { username: string; email: string };
  org_change_email: { email: string };
  org_create_team: { team: string; role: string };
  org_delete_team: { team: string };
  org_set_team_description: { team: string; description: string };
  org_set_team_role: { team: string; role: string };
  org_add_team_member: Member;
  org_remove_team_member: Member;
  org_invite_team_member: Member;
  org_delete_team_member_invite: Member;
  org_team_member_invite_accepted: Member;
  org_team_member_invite_declined: Member;
  create_robot: { robot: string };
  delete_robot: { robot: string };
  regenerate_robot_token: { robot: string };
  create_prototype_permission: {
    activating_user: string | null;
    delegate: { kind: "user" | "team" | "robot"; name: string };
    role: string;
  };
  modify_prototype_permission: { id: string; role: string };
  delete_prototype_permission: { id: string };
  create_application: { application_name: string; client_id: string };
  update_application: { application_name: string; client_id: string };
  reset_application_client_secret: { application_name: string; client_id: string };
  delete_application: { client_id: string };
  oauth_token_assigned: { application: string; scopes: string[] };
  /** A user approved an application in the OAuth authorize flow (a code or an implicit token was issued). */
  oauth_authorize_application: { application: string; client_id: string; scopes: string[]; grant: string };
  create_app_specific_token: { app_specific_token_title: string };
  revoke_app_specific_token: { id: string };
  /** Proxy cache configuration of an organization. */
  create_proxy_cache_config: { namespace: string; upstream_registry: string };
  delete_proxy_cache_config: { namespace: string; upstream_registry: string };
  login_success: { type?: string };
  login_failure: Record<string, never>;
}

export type AuditKinds = {
  [K in keyof RepoAuditKinds]: RepoAuditKinds[K] & RepoScoped;
} & NamespaceAuditKinds;
export type AuditKind = keyof AuditKinds;
export type RepoAuditKind = keyof RepoAuditKinds;

/** What every entry about a repository carries besides its own metadata. */
export interface RepoScoped {
  repo: string;
  namespace: string;
}
