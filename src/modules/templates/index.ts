/** The templates module's public face: the app imports only this file. */

export { createTemplatesModule, type TemplatesModuleApi } from './templates.module.js'
