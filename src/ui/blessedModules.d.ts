// blessed's own modules, required one by one (blessedParts.ts); typed there from @types/blessed
declare module 'blessed/lib/widgets/box.js' {
  const Box: unknown;
  export default Box;
}
declare module 'blessed/lib/widgets/screen.js' {
  const Screen: unknown;
  export default Screen;
}
declare module 'blessed/lib/helpers.js' {
  const helpers: unknown;
  export default helpers;
}
declare module 'blessed/lib/tput.js' {
  const Tput: unknown;
  export default Tput;
}
declare module 'blessed/lib/unicode.js' {
  const unicode: unknown;
  export default unicode;
}
