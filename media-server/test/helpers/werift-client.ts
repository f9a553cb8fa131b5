import { RTCPeerConnection } from "werift";

/** An offer with one sendrecv VP8 video section, made by a real (werift) peer. */
export async function makeOffer(): Promise<{ sdp: string; close: () => Promise<void> }> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "sendrecv" });
  await pc.setLocalDescription(await pc.createOffer());
  return { sdp: pc.localDescription!.sdp, close: () => pc.close() };
}
