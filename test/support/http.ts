import { expect } from "vitest";

/**
 * The answers of five requests from one client to an app limited to 3 per 60 s: 200 three times, then 429, with
 * the draft-7 `RateLimit-*` headers both middlewares send (`limit`, `remaining`, `reset` in seconds, `policy`)
 * and `Retry-After` on the 429.
 */
export async function expectThreeThen429(answers: Response[]): Promise<void> {
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
  expect(await answers[0]?.json()).toEqual({ hello: "world" });
  expect(answers.map((r) => r.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0", "0", "0"]);
  for (const r of answers) {
    expect(r.headers.get("ratelimit-limit")).toBe("3");
    expect(r.headers.get("ratelimit-policy")).toBe("3;w=60");
    const reset = Number(r.headers.get("ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(58);
    expect(reset).toBeLessThanOrEqual(60);
  }
  expect(Number(answers[3]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(58);
}
