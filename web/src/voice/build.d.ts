/** The microphone worklet's built file name, next to the room's bundle (build.mjs `define`). */
declare const MIC_WORKLET_FILE: string;
