// The proxy cache's GraphQL types: an organization's configuration (its credentials never shown), the input
// that creates or validates one, and the answer of a validation.
import { Field, InputType, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "An organization's proxy cache of an upstream registry (seed 001 ch. 15)" })
export class ProxyCache {
  @Field(() => String, { description: "host[:port], optionally with a namespace: quay.io/library" })
  upstreamRegistry!: string;
  @Field(() => Int, {
    description:
      "Seconds a cached tag lives after its last confirmed pull; within them, a failing upstream is answered from the cache",
  })
  expirationS!: number;
  @Field(() => Boolean, { description: "Plain HTTP, or HTTPS without certificate verification" })
  insecure!: boolean;
  @Field(() => Boolean, { description: "Credentials were given (they cannot be added later)" })
  hasCredentials!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@InputType({ description: "A proxy cache configuration to create or validate" })
export class ProxyCacheInput {
  @Field(() => String) upstreamRegistry!: string;
  @Field(() => Int, { nullable: true, description: "Default 86400" }) expirationS?: number | null;
  @Field(() => Boolean, { nullable: true }) insecure?: boolean | null;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true }) password?: string | null;
}

@ObjectType({ description: "What validating a configuration found" })
export class ProxyCacheValidation {
  @Field(() => Boolean) valid!: boolean;
  @Field(() => String, {
    nullable: true,
    description:
      "Valid, or Anonymous (the upstream wants credentials and none were given); null when invalid",
  })
  status!: string | null;
  @Field(() => String, { nullable: true, description: "Why it is not valid" })
  message!: string | null;
}
