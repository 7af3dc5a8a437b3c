import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f,g,h}from"./chunk-SKVLNT2S.js";import"./chunk-2QOGF3RW.js";import"./chunk-TZN7URKK.js";export{d as DEFAULT_CHECK_TIMEOUT_MS,e as RegistryClient,h as checkImages,f as loadCredentials,a as parseCredentialsInput,g as registryClient,c as registryTarget,b as secretsOf};
