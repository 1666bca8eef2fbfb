//! The interpreter's imports answered through the dispatcher: each tool call runs in its
//! own fresh tool sandbox, a batch runs its calls in parallel on the runtime's worker
//! threads, and every call is recorded for the input's outcome.

use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::output::{Content, LogLevel, ToolOutput};
use crate::runtime::python::{PythonHost, wit};

use super::catalogue::Catalogue;
use super::options::{PngPreference, PythonOptions};
use super::outcome::{ImageItem, RecordedImage, ToolCallRecord};
use super::scripts;
use super::signature;

/// Bytes of tool-call arguments and results one input's record keeps (for trajectories
/// and replays). Past it a record keeps the tool, its error code and timing, and notes
/// what it left out: otherwise 10,000 calls of 4 MiB each would make the host hold 40 GB.
pub(crate) const MAX_RECORDED_BYTES: usize = 16 << 20;
/// Bytes of images one input hands the front end; later images are dropped and counted.
pub(crate) const MAX_IMAGE_BYTES: usize = 64 << 20;

/// What the current input did, shared by the session and its bridge (and by the
/// sessions of the scripts it runs, whose calls count as its own).
#[derive(Default)]
pub(crate) struct Recorder {
    pub tool_calls: Vec<ToolCallRecord>,
    pub images: Vec<ImageItem>,
    /// Images left out past [`MAX_IMAGE_BYTES`].
    pub images_dropped: usize,
    /// When the outermost input started: nested scripts get what is left of its time.
    pub input_started: Option<Instant>,
    pub(crate) recorded_bytes: usize,
    pub(crate) image_bytes: usize,
}

impl Recorder {
    /// Keep `record`, its arguments and result replaced by a note once the input's
    /// record is full.
    pub fn push(&mut self, mut record: ToolCallRecord) {
        let image_size: usize = record.images.iter().map(|i| i.data_base64.len()).sum();
        let size = json_len(&record.arguments) + json_len(&record.result) + image_size;
        if self.recorded_bytes + size > MAX_RECORDED_BYTES {
            let note = json!({
                "omitted": format!(
                    "{size} bytes of arguments, result and images: this input's record of \
                     tool calls is full ({MAX_RECORDED_BYTES} bytes)"
                )
            });
            record.arguments = note.clone();
            record.result = note;
            record.images.clear();
        } else {
            self.recorded_bytes += size;
        }
        self.tool_calls.push(record);
    }

    pub fn push_image(&mut self, image: ImageItem) {
        if self.image_bytes + image.data.len() > MAX_IMAGE_BYTES {
            self.images_dropped += 1;
        } else {
            self.image_bytes += image.data.len();
            self.images.push(image);
        }
    }
}

/// The length of `value` as compact JSON, counted without building the text.
fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

pub(crate) type SharedRecorder = Arc<Mutex<Recorder>>;

pub(crate) struct ToolBridge {
    pub dispatcher: Dispatcher,
    pub options: PythonOptions,
    pub catalogue: Arc<Catalogue>,
    pub recorder: SharedRecorder,
    /// Nesting of `SCRIPT` calls: 0 for a session a front end started.
    pub depth: usize,
}

impl ToolBridge {
    /// With [`PythonOptions::prefer_png`], a picture tool not told a format draws a PNG.
    async fn prefer_png(&self, name: &str, args: &mut Value) {
        if !matches!(self.options.prefer_png, PngPreference::No)
            && args.get("format").is_none()
            && self
                .catalogue
                .offers_png_and_sixel(&self.dispatcher, name)
                .await
            && self.options.prefer_png.wanted()
        {
            crate::pictures::ask_for_png(args, &[]);
        }
    }

    fn record(
        &self,
        tool: &str,
        arguments: Value,
        outcome: &Result<ToolOutput, ToolError>,
        took: Duration,
    ) {
        let (result, error_code) = match outcome {
            Ok(output) => (python_value(output), None),
            Err(e) => (
                json!({ "code": e.code.as_str(), "message": e.message }),
                Some(e.code.as_str().to_owned()),
            ),
        };
        let mut recorder = self.recorder.lock().expect("recorder lock");
        recorder.push(ToolCallRecord {
            tool: tool.to_owned(),
            arguments,
            result,
            error_code,
            duration_ms: took.as_secs_f64() * 1e3,
            images: recorded_images(outcome),
        });
        if let Ok(output) = outcome {
            for item in &output.content {
                let image = match item {
                    Content::Image { mime_type, data } => (mime_type.clone(), data.clone()),
                    Content::Sixel { sixel } => {
                        ("image/x-sixel".to_owned(), sixel.clone().into_bytes())
                    }
                    _ => continue,
                };
                recorder.push_image(ImageItem {
                    tool: tool.to_owned(),
                    mime_type: image.0,
                    data: image.1,
                });
            }
        }
    }

    fn answer(
        &self,
        tool: &str,
        arguments: Value,
        outcome: Result<ToolOutput, ToolError>,
        took: Duration,
    ) -> Result<wit::ToolResult, wit::Failure> {
        self.record(tool, arguments, &outcome, took);
        match outcome {
            Ok(output) => Ok(tool_result(&output)),
            Err(e) => Err(failure(&e, tool)),
        }
    }
}

/// A call's images for its record, base64 as the trajectory's JSON needs.
fn recorded_images(outcome: &Result<ToolOutput, ToolError>) -> Vec<RecordedImage> {
    use base64::Engine;
    let Ok(output) = outcome else {
        return Vec::new();
    };
    output
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Image { mime_type, data } => Some(RecordedImage {
                mime_type: mime_type.clone(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(data),
            }),
            _ => None,
        })
        .collect()
}

/// What Python gets from a tool: its JSON item, else its text, else nothing.
fn python_value(output: &ToolOutput) -> Value {
    if let Some(json) = output.first_json() {
        return json.clone();
    }
    let texts: Vec<&str> = output
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if texts.is_empty() {
        Value::Null
    } else {
        Value::String(texts.join("\n"))
    }
}

fn tool_result(output: &ToolOutput) -> wit::ToolResult {
    wit::ToolResult {
        value: python_value(output).to_string(),
        images: output
            .content
            .iter()
            .filter_map(|c| match c {
                Content::Image { mime_type, data } => Some(wit::Image {
                    mime_type: mime_type.clone(),
                    data: data.clone(),
                }),
                _ => None,
            })
            .collect(),
    }
}

pub(crate) fn failure(e: &ToolError, tool: &str) -> wit::Failure {
    wit::Failure {
        code: e.code.as_str().to_owned(),
        message: e.message.clone(),
        details: e.details.as_ref().map(Value::to_string),
        tool: Some(e.tool.clone().unwrap_or_else(|| tool.to_owned())),
    }
}

fn arguments(text: &str) -> Result<Value, ToolError> {
    serde_json::from_str(text).map_err(|e| {
        ToolError::new(
            ErrorCode::InvalidInput,
            format!("the arguments are not JSON: {e}"),
        )
    })
}

/// Aborts the batch's calls still running when the input is dropped (a timeout).
struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

#[async_trait::async_trait]
impl PythonHost for ToolBridge {
    async fn call_tool(
        &mut self,
        name: String,
        arguments_json: String,
    ) -> Result<wit::ToolResult, wit::Failure> {
        let mut args = arguments(&arguments_json).map_err(|e| failure(&e, &name))?;
        self.prefer_png(&name, &mut args).await;
        let started = Instant::now();
        let outcome = match self.options.check_access(&name) {
            Ok(()) => self.dispatcher.call(&name, args.clone()).await,
            Err(denied) => Err(denied),
        };
        self.answer(&name, args, outcome, started.elapsed())
    }

    async fn call_batch(
        &mut self,
        calls: Vec<wit::ToolCall>,
    ) -> Vec<Result<wit::ToolResult, wit::Failure>> {
        let mut prepared = Vec::with_capacity(calls.len());
        for call in calls {
            let mut args = arguments(&call.arguments);
            if let Ok(args) = &mut args {
                self.prefer_png(&call.name, args).await;
            }
            prepared.push((call.name, args));
        }
        // Spawned, not joined in place: the calls then run on all worker threads at once.
        let tasks: Vec<_> = prepared
            .into_iter()
            .map(|(name, args)| {
                let dispatcher = self.dispatcher.clone();
                let args = args.and_then(|args| self.options.check_access(&name).map(|()| args));
                tokio::spawn(async move {
                    let started = Instant::now();
                    let outcome = match &args {
                        Ok(args) => dispatcher.call(&name, args.clone()).await,
                        Err(e) => Err(e.clone()),
                    };
                    (
                        name,
                        args.unwrap_or(Value::Null),
                        outcome,
                        started.elapsed(),
                    )
                })
            })
            .collect();
        let _abort = AbortOnDrop(tasks.iter().map(|t| t.abort_handle()).collect());
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(match task.await {
                Ok((name, args, outcome, took)) => self.answer(&name, args, outcome, took),
                Err(e) => Err(failure(
                    &ToolError::new(ErrorCode::Internal, format!("the call's task failed: {e}")),
                    "",
                )),
            });
        }
        results
    }

    async fn list_tools(&mut self) -> Vec<wit::ToolSummary> {
        self.catalogue
            .summaries(&self.dispatcher)
            .await
            .into_iter()
            .map(|(name, summary)| wit::ToolSummary { name, summary })
            .collect()
    }

    async fn describe_tool(&mut self, name: String) -> Result<wit::ToolDetails, wit::Failure> {
        self.options
            .check_access(&name)
            .map_err(|e| failure(&e, &name))?;
        self.catalogue
            .describe(&self.dispatcher, &name)
            .await
            .map(|d| Catalogue::details(&d))
            .map_err(|e| failure(&e, &name))
    }

    async fn help_text(&mut self, name: String) -> Result<String, wit::Failure> {
        self.options
            .check_access(&name)
            .map_err(|e| failure(&e, &name))?;
        self.catalogue
            .describe(&self.dispatcher, &name)
            .await
            .map(|d| signature::help_text(&d))
            .map_err(|e| failure(&e, &name))
    }

    async fn run_script(
        &mut self,
        name: String,
        arguments_json: String,
    ) -> Result<String, wit::Failure> {
        let args = arguments(&arguments_json).map_err(|e| failure(&e, &name))?;
        let started = Instant::now();
        let outcome = scripts::run(self, &name, args.clone()).await;
        let took = started.elapsed();
        let mut recorder = self.recorder.lock().expect("recorder lock");
        recorder.push(ToolCallRecord {
            tool: format!("SCRIPT:{name}"),
            arguments: args,
            result: match &outcome {
                Ok(v) => v.clone(),
                Err(e) => json!({ "code": e.code.as_str(), "message": e.message }),
            },
            error_code: outcome.as_ref().err().map(|e| e.code.as_str().to_owned()),
            duration_ms: took.as_secs_f64() * 1e3,
            images: Vec::new(),
        });
        outcome
            .map(|v| v.to_string())
            .map_err(|e| failure(&e, &name))
    }

    async fn llm_query(&mut self, prompt: String) -> Result<String, String> {
        match &self.options.model {
            Some(model) => model.query(prompt).await,
            None => Err(no_model("llm_query")),
        }
    }

    async fn llm_batch(&mut self, prompts: Vec<String>) -> Vec<Result<String, String>> {
        match &self.options.model {
            Some(model) => model.batch(prompts).await,
            None => prompts.iter().map(|_| Err(no_model("llm_batch"))).collect(),
        }
    }

    async fn save_image(
        &mut self,
        _mime_type: String,
        data: Vec<u8>,
        file_name: String,
    ) -> Result<String, String> {
        let Some(dir) = &self.options.image_dir else {
            return Err(
                "saving images is not enabled in this session (it was given no image \
                 directory); the image is still shown by the front end"
                    .to_owned(),
            );
        };
        save_image(dir, &file_name, &data)
    }

    fn log(&mut self, _level: LogLevel, _message: String) {
        // The interpreter logs nothing a person needs; its diagnostics would only grow
        // the host's memory.
    }
}

fn no_model(name: &str) -> String {
    format!(
        "{name} needs a language model, and this session has none (it is available inside `toolhost agent`)"
    )
}

/// Write `data` as `dir/file_name`; the name must be a bare file name.
fn save_image(dir: &Path, file_name: &str, data: &[u8]) -> Result<String, String> {
    let bare = !file_name.is_empty()
        && file_name != "."
        && file_name != ".."
        && !file_name.contains(['/', '\\', '\0'])
        && !file_name.starts_with('.');
    if !bare {
        return Err(format!(
            "{file_name:?} is not a bare file name: Image.save takes a name such as \
             \"plot.png\" (no directories), and images go to {}",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(file_name);
    std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_keeps_arguments_results_and_images_up_to_its_byte_budget() {
        let mut recorder = Recorder::default();
        let big = "x".repeat(1 << 20);
        for _ in 0..20 {
            recorder.push(ToolCallRecord {
                tool: "t".into(),
                arguments: json!({ "n": 1 }),
                result: Value::String(big.clone()),
                error_code: None,
                duration_ms: 1.0,
                images: vec![RecordedImage {
                    mime_type: "image/png".into(),
                    data_base64: "A".repeat(1 << 19),
                }],
            });
            recorder.push_image(ImageItem {
                tool: "t".into(),
                mime_type: "image/png".into(),
                data: vec![0; 4 << 20],
            });
        }
        assert_eq!(recorder.tool_calls.len(), 20);
        let kept = recorder
            .tool_calls
            .iter()
            .filter(|r| r.result.is_string())
            .count();
        // 1 MiB of result and 0.5 MiB of image each: ten fit in 16 MiB.
        assert_eq!(kept, 10);
        assert!(recorder.recorded_bytes <= MAX_RECORDED_BYTES);
        let last = recorder.tool_calls.last().unwrap();
        assert_eq!(last.tool, "t");
        assert!(last.images.is_empty(), "an omitted call keeps no images");
        assert!(last.result["omitted"].as_str().unwrap().contains("is full"));
        assert_eq!(recorder.images.len(), 16);
        assert_eq!(recorder.images_dropped, 4);
    }

    #[test]
    fn images_are_saved_by_bare_name_only() {
        let dir = std::env::temp_dir().join(format!("toolhost-images-{}", std::process::id()));
        let path = save_image(&dir, "p.png", b"png").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"png");
        for bad in ["../p.png", "a/b.png", "", "..", ".hidden"] {
            assert!(save_image(&dir, bad, b"x").is_err(), "{bad:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
