import type { Request } from "express";
import type { Principal } from "../services/principal.js";
import type { Services } from "../app/services.js";

export interface GraphQLContext {
  req: Request;
  principal: Principal;
  services: Services;
}
