/** Every route of the console, in one place. */
export enum RoutePath {
  Home = "/",
}
