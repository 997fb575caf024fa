import type { Request, Response } from "express";
import type { Principal } from "../access/principal.js";
import type { Services } from "../app/services.js";
import type { Loaders } from "./loaders.js";

export interface GraphQLContext {
  req: Request;
  res: Response;
  principal: Principal;
  services: Services;
  loaders: Loaders;
  ip: string | null;
}
