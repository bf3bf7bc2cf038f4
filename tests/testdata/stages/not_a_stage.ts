/** A module that is not a stage (no operator export). */
export const spec = { name: "nope", summary: "missing operator", fields: {}, examples: [] };
