/** The core version plugins check `requires.core` against. A test keeps it equal to package.json's. */
export const VERSION = "0.1.0";
