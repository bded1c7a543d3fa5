//! `--screenshot PATH`: once the run has reached `--after-steps`, converged or diverged (or after the first frames
//! when not running), save a PNG of the whole window and close the app. `--export-view` uses the same job: its window
//! shows one view alone ([`crate::app::solo`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, Receiver};

use crate::worker::Snapshot;

/// Frames drawn before a screenshot of an idle app (fonts, layout and plot bounds settle).
const IDLE_FRAMES: u32 = 6;
/// Seconds to let animations finish once the run is done.
const SETTLE_SECS: f64 = 0.45;
/// Give up waiting for the runs after this long and take the picture anyway, saying so on stderr: a run without a
/// tolerance (or one that cannot meet it) would otherwise keep `--screenshot` from ever ending.
const MAX_WAIT_SECS: f64 = 60.0;

enum Phase {
    /// Waiting for the run to finish (or for the first frames).
    Waiting,
    /// Done; letting the last animation end, since this time.
    Settling(f64),
    /// Requested; waiting for the pixels.
    Requested(Receiver<Arc<egui::ColorImage>>),
    /// Saved (or failed), window closing.
    Done,
}

/// The pending screenshot.
pub struct ScreenshotJob {
    path: PathBuf,
    /// Whether the app was asked to run (then the picture waits for the run to end).
    expect_run: bool,
    /// The step the run stops at, if any.
    after_steps: Option<u64>,
    phase: Phase,
    frames: u32,
    saw_busy: bool,
    started: Option<f64>,
    exit_code: Arc<AtomicI32>,
    /// The size in pixels the picture was asked at (`--export-view --size`): another size is noted on stderr.
    size_px: Option<[u32; 2]>,
}

impl ScreenshotJob {
    /// A screenshot to `path`; `expect_run` when the app starts a run first (stopping at `after_steps`, if given).
    /// The exit code is set to 1 if saving fails.
    pub fn new(path: PathBuf, expect_run: bool, after_steps: Option<u64>, exit_code: Arc<AtomicI32>) -> Self {
        ScreenshotJob {
            path,
            expect_run,
            after_steps,
            phase: Phase::Waiting,
            frames: 0,
            saw_busy: false,
            started: None,
            exit_code,
            size_px: None,
        }
    }

    /// The same job, for a picture asked at `size_px` pixels (`None`: the window as it is).
    pub fn expecting_size(self, size_px: Option<[u32; 2]>) -> Self {
        ScreenshotJob { size_px, ..self }
    }

    /// Advances the job by one frame.
    pub fn update(&mut self, ctx: &egui::Context, snap: &Snapshot) {
        self.frames += 1;
        let now = ctx.input(|i| i.time);
        let started = *self.started.get_or_insert(now);
        match &self.phase {
            Phase::Waiting => {
                self.saw_busy |= snap.is_busy();
                // Every run converged, diverged or reached the step it was to stop at.
                let done = !snap.runs.is_empty()
                    && snap
                        .runs
                        .iter()
                        .all(|r| r.status.is_finished() || self.after_steps.is_some_and(|n| r.record.step >= n));
                let ready = !self.expect_run || (!snap.is_busy() && (done || self.saw_busy));
                if ready && self.frames >= IDLE_FRAMES {
                    self.phase = Phase::Settling(now);
                } else if now - started > MAX_WAIT_SECS {
                    let steps: Vec<String> = snap.runs.iter().map(|r| r.record.step.to_string()).collect();
                    crate::cli::say_line(&format!(
                        "note: the runs had not ended after {MAX_WAIT_SECS} s; the screenshot shows them at step {} \
                         (give --after-steps N to stop them)",
                        steps.join(", ")
                    ));
                    self.phase = Phase::Settling(now);
                }
                ctx.request_repaint();
            }
            Phase::Settling(since) => {
                if now - since >= SETTLE_SECS {
                    self.phase = Phase::Requested(request_screenshot(ctx));
                }
                ctx.request_repaint();
            }
            Phase::Requested(rx) => {
                if let Ok(image) = rx.try_recv() {
                    if let Some(note) = self.size_px.and_then(|asked| size_note(asked, image.size)) {
                        crate::cli::say_line(&format!("note: {note}"));
                    }
                    if let Err(e) = save_png(&self.path, &image) {
                        crate::cli::say_line(&format!(
                            "error: cannot save the screenshot {}: {e}",
                            self.path.display()
                        ));
                        self.exit_code.store(1, Ordering::SeqCst);
                    }
                    self.phase = Phase::Done;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
                ctx.request_repaint();
            }
            Phase::Done => {}
        }
    }
}

/// Writes `image` as an RGBA PNG.
pub fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_srgba_unmultiplied()).collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes).ok_or("the image has the wrong size")?;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let mut png = std::io::Cursor::new(Vec::new());
    buffer.write_to(&mut png, image::ImageFormat::Png).map_err(|e| e.to_string())?;
    crate::files::write_atomically(path, png.get_ref()).map_err(|e| e.to_string())
}

/// Asks egui for a screenshot of the next frame: the image arrives on the receiver, and a repaint follows it.
pub fn request_screenshot(ctx: &egui::Context) -> Receiver<Arc<egui::ColorImage>> {
    let (tx, rx) = mpsc::channel();
    let waker = ctx.clone();
    ctx.request_screenshot(move |image| {
        let _ = tx.send(image);
        waker.request_repaint();
    });
    rx
}

/// What a PNG came out as, when not the size asked: a note for the message (`None` when it is the size asked).
pub fn size_note(asked: [u32; 2], got: [usize; 2]) -> Option<String> {
    let got32 = got.map(|g| u32::try_from(g).unwrap_or(u32::MAX));
    (got32 != asked).then(|| {
        format!(
            "the window came out {} × {} pixels, not the {} × {} asked (the screen or the desktop limits it): the PNG \
             is {} × {}",
            got[0], got[1], asked[0], asked[1], got[0], got[1]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_of_another_size_says_so() {
        assert_eq!(size_note([1600, 900], [1600, 900]), None);
        let note = size_note([3000, 2000], [1920, 1080]).expect("a note");
        assert!(note.contains("1920 × 1080 pixels, not the 3000 × 2000 asked"), "{note}");
    }
}
