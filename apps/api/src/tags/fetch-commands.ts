// Command lines a person copies to fetch an image, built from SERVER_HOSTNAME. Pure.

export interface FetchCommands {
  /** `podman pull HOST/ns/repo:tag` or `...@sha256:...` */
  podman: string;
  docker: string;
  /** Squashed image download piped into `docker load` (tags only, as in Quay). */
  squashed: string | null;
}

export function fetchCommands(
  host: string,
  repository: string,
  ref: { tag: string } | { digest: string },
  scheme: "http" | "https" = "https",
): FetchCommands {
  const image = "tag" in ref ? `${host}/${repository}:${ref.tag}` : `${host}/${repository}@${ref.digest}`;
  return {
    podman: `podman pull ${image}`,
    docker: `docker pull ${image}`,
    squashed:
      "tag" in ref
        ? `curl -f -u USERNAME ${scheme}://${host}/c1/squash/${repository}/${ref.tag} | docker load`
        : null,
  };
}
