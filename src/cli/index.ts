// Placeholder until this capability lands; see the issue that adds it.
export {};
