// The rear camera and qr-scanner's decoder: we open the stream ourselves with facingMode "environment"
// (not exact, which desktop and fake cameras refuse) and hand frames to the decoder a few times a second.
import QrScanner from "../vendor/qr-scanner/qr-scanner.min.js";

let engine = null;

export class Camera {
  constructor(video, onText, { interval = 250 } = {}) {
    this.video = video;
    this.onText = onText;
    this.interval = interval;
    this.stream = null;
    this.timer = null;
    this.canvas = document.createElement("canvas");
  }

  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("Kamera hanya bisa dipakai lewat HTTPS. Ketik kodenya di bawah.");
    }
    engine = engine || await QrScanner.createQrEngine();
    this.stream = await navigator.mediaDevices.getUserMedia(
      { audio: false, video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } } });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.running = true;
    this.tick();
  }

  async tick() {
    if (!this.running) return;
    if (this.video.readyState >= 2) {
      try {
        const result = await QrScanner.scanImage(this.video, { qrEngine: engine, canvas: this.canvas,
                                                                returnDetailedScanResult: true });
        if (this.running && result && result.data) this.onText(result.data);
      } catch (_noCodeInFrame) { /* next frame */ }
    }
    if (this.running) this.timer = setTimeout(() => this.tick(), this.interval);
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
  }
}

export function cameraError(error) {
  const name = error && error.name;
  if (name === "NotAllowedError") return "Izin kamera ditolak. Izinkan kamera di pengaturan peramban, atau ketik kodenya.";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "Kamera tidak ditemukan. Ketik kodenya.";
  return (error && error.message) || "Kamera tidak bisa dibuka. Ketik kodenya.";
}
