import type { TestProject } from "vitest/node";
import setup from "./global-setup.js";

/** The consumer tests' global setup: the same database choice and clean-up, without the unit tests' templates. */
export default (project: TestProject) => setup(project, { prepare: false });
