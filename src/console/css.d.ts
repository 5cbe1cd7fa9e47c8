/** Stylesheets are imported for their side effect: esbuild emits them as the bundle's CSS. */
declare module '*.css'
