// Better Auth configuration handed to Better Auth's CLI (`generate`) to produce generated/schema.plugins.ts: the
// drizzle adapter for PostgreSQL (snake_case columns) with the plugins whose tables and columns adoption converts.
// Not used at run time.
import { apiKey } from "@better-auth/api-key";
import { passkey } from "@better-auth/passkey";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, anonymous, jwt, organization, phoneNumber, twoFactor, username } from "better-auth/plugins";

export const auth = betterAuth({
  database: drizzleAdapter({}, { provider: "pg" }),
  emailAndPassword: { enabled: true },
  plugins: [
    admin(),
    username(),
    twoFactor(),
    organization({ teams: { enabled: true }, dynamicAccessControl: { enabled: true } }),
    jwt(),
    apiKey(),
    passkey(),
    phoneNumber(),
    anonymous(),
  ],
});
