import { describe, expect, it } from "vitest";
import { age, localTime } from "./time";

describe("time", () => {
  it("says how long ago in the largest sensible unit", () => {
    const now = 1_000_000_000_000;
    expect(age(now / 1000 - 30, now)).toBe("now");
    expect(age(now / 1000 - 3 * 3600, now)).toBe("3h");
    expect(age(now / 1000 - 3 * 86400, now)).toBe("3d");
    expect(age(now / 1000 - 42 * 86400, now)).toBe("6w");
  });
  it("shows a commit's own local time and offset", () => {
    expect(localTime(1_763_654_400, 3600)).toBe("2025-11-20 17:00 +01:00");
    expect(localTime(1_763_654_400, -5 * 3600 - 1800)).toBe("2025-11-20 10:30 -05:30");
  });
});
