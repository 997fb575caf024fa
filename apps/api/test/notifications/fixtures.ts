// The world of the notification tests: a webhook receiver, a system whose retries are fast and whose
// legacy chat APIs point at the receiver, a user with a repository, and helpers to create notifications and
// read their deliveries.
import { after, before } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { RestWorld } from "../rest/client.js";
import { WebhookReceiver } from "./receivers.js";

export async function notificationWorld(env: Record<string, string> = {}) {
  const receiver = new WebhookReceiver();
  await receiver.start();
  const world = RestWorld.forFile({
    NOTIFICATION_RETRY_DELAY_SECONDS: "0.1",
    NOTIFICATION_DELIVERY_ATTEMPTS: "3",
    NOTIFICATION_HTTP_TIMEOUT_SECONDS: "1",
    NOTIFICATION_FAILURE_LIMIT: "5",
    FLOWDOCK_API_URL: `${receiver.url}/flowdock/`,
    HIPCHAT_API_URL: `${receiver.url}/hipchat/`,
    ...env,
  });
  after(() => receiver.stop());
  let path = 0;
  const w: {
    receiver: WebhookReceiver;
    world: RestWorld;
    owner: Awaited<ReturnType<RestWorld["user"]>>;
    repo: string;
    registry: RegistryClient;
    hook(): string;
    create(body: object, r?: string): Promise<any>;
    deliveries(uuid: string): ReturnType<RestWorld["sys"]["db"]["notificationDelivery"]["findMany"]>;
  } = {
    receiver,
    world,
    owner: null as unknown as Awaited<ReturnType<RestWorld["user"]>>,
    repo: "",
    registry: null as unknown as RegistryClient,
    /** A fresh receiver path per notification, so each test reads only its own requests. */
    hook: () => `/hook${++path}`,
    create: (body, r = w.repo) => w.owner.rest.expect(201, "POST", `/repository/${r}/notification/`, body),
    deliveries: (uuid) =>
      world.sys.db.notificationDelivery.findMany({
        where: { notification: { uuid } },
        orderBy: { id: "asc" },
      }),
  };
  before(async () => {
    await world.start();
    w.owner = await world.user("notif");
    w.repo = `${w.owner.name}/app`;
    w.registry = new RegistryClient(world.sys, [w.owner.name, w.owner.password]);
    await w.registry.pushImage(w.repo, "seed");
  });
  return w;
}
