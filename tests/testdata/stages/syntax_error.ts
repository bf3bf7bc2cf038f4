export const spec = { name: "broken", summary: "does not parse", fields: {}, examples: [] ;
