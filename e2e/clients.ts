// Hermetic environment for the real container clients (skopeo, podman, buildah): nothing is written to /etc,
// every run gets its own storage root, auth file and policy. See shared/notes/real-clients.md.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export class Clients {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  constructor(readonly registry: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-e2e-"));
    fs.writeFileSync(
      path.join(this.dir, "storage.conf"),
      `[storage]\ndriver = "vfs"\ngraphroot = "${this.dir}/storage"\nrunroot = "${this.dir}/runroot"\n`,
    );
    fs.writeFileSync(
      path.join(this.dir, "registries.conf"),
      `unqualified-search-registries = []\n[[registry]]\nlocation = "${registry}"\ninsecure = true\n`,
    );
    fs.writeFileSync(path.join(this.dir, "policy.json"), '{"default":[{"type":"insecureAcceptAnything"}]}\n');
    fs.writeFileSync(path.join(this.dir, "auth.json"), '{"auths":{}}');
    fs.writeFileSync(path.join(this.dir, "anon.json"), '{"auths":{}}');
    this.env = {
      ...process.env,
      CONTAINERS_STORAGE_CONF: path.join(this.dir, "storage.conf"),
      CONTAINERS_REGISTRIES_CONF: path.join(this.dir, "registries.conf"),
      REGISTRY_AUTH_FILE: path.join(this.dir, "auth.json"),
      BUILDAH_ISOLATION: "chroot",
      TMPDIR: this.dir,
    };
  }

  async exec(cmd: string, args: string[], input?: string): Promise<string> {
    const p = run(cmd, args, { env: this.env, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
    if (input !== undefined) {
      p.child.stdin!.end(input);
    }
    try {
      const { stdout } = await p;
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `${cmd} ${args.join(" ")} failed: ${(err.stderr || err.stdout || err.message).trim().slice(-2000)}`,
      );
    }
  }

  skopeo(...args: string[]) {
    return this.exec("skopeo", [
      "--policy",
      path.join(this.dir, "policy.json"),
      "--registries-conf",
      path.join(this.dir, "registries.conf"),
      ...args,
    ]);
  }
  podman(...args: string[]) {
    return this.exec("podman", args);
  }
  buildah(...args: string[]) {
    return this.exec("buildah", args);
  }
  login(
    tool: "podman" | "skopeo" | "buildah",
    user: string,
    password: string,
    authfile = path.join(this.dir, "auth.json"),
  ) {
    return this.exec(
      tool,
      ["login", "--tls-verify=false", "--authfile", authfile, "-u", user, "--password-stdin", this.registry],
      password,
    );
  }

  /** Builds localhost/bb:<arch> from scratch with busybox. */
  async buildBusybox(arch: string, label = "quay.expires-after=2h"): Promise<string> {
    const ctr = (await this.buildah("from", "scratch")).trim();
    await this.buildah("copy", ctr, "/bin/busybox", "/bin/busybox");
    await this.buildah(
      "config",
      "--entrypoint",
      '["/bin/busybox"]',
      "--cmd",
      "sh",
      "--label",
      label,
      "--os",
      "linux",
      "--arch",
      arch,
      ctr,
    );
    await this.buildah("commit", "-q", ctr, `localhost/bb:${arch}`);
    await this.buildah("rm", ctr);
    return `localhost/bb:${arch}`;
  }

  cleanup() {
    // vfs layers may hold read-only files; buildah knows how to remove them.
    return this.exec("buildah", ["rm", "--all"])
      .catch(() => "")
      .finally(() => fs.rmSync(this.dir, { recursive: true, force: true }));
  }
}

export function haveClients(): boolean {
  return ["skopeo", "podman", "buildah"].every((c) =>
    process.env.PATH!.split(":").some((d) => fs.existsSync(path.join(d, c))),
  );
}
