import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-A5RDSKHL.js";import"./chunk-TZN7URKK.js";export{b as httpStatus,a as upsertStickyComment};
