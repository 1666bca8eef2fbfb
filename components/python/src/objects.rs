//! The objects Python code gets from the host: `Image`s and the `ToolError` details a
//! handler sees. Both are Monty host-class instances: their eager attributes live in the
//! interpreter, and what is missing (`img.data`, `img.save(...)`) is asked of the session
//! by the instance's id.

use monty_types::unstable::{self, MontyNode};
use monty_types::{MontyObject, MontyUuid, ObjectRef};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

use crate::convert;
use crate::errors::TOOL_ERROR_EXC;
use crate::host::{Failure, Image};

pub const IMAGE_CLASS: MontyUuid = MontyUuid::from_u128(0x746f_6f6c_686f_7374_0000_0000_0000_0001);
pub const TOOL_ERROR_CLASS: MontyUuid =
    MontyUuid::from_u128(0x746f_6f6c_686f_7374_0000_0000_0000_0002);
/// Instance ids count up from these; sandbox objects get random (v4) ids.
const FIRST_IMAGE: u128 = 0x746f_6f6c_686f_7374_0001_0000_0000_0000;
const FIRST_ERROR: u128 = 0x746f_6f6c_686f_7374_0002_0000_0000_0000;

/// Image bytes a session keeps for `img.data` and `img.save()`; older images are
/// forgotten first (their Python objects then say so).
const MAX_IMAGE_BYTES: usize = 64 << 20;
/// Tool errors remembered for `except ToolError as e` (looked up by message).
const MAX_ERRORS: usize = 256;

pub struct StoredImage {
    pub image: Image,
}

/// What `except ToolError as e` puts in `e`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolErrorInfo {
    pub code: String,
    pub message: String,
    pub details: Option<Value>,
    pub tool: Option<String>,
}

#[derive(Default)]
pub struct Objects {
    images: HashMap<MontyUuid, StoredImage>,
    image_order: VecDeque<MontyUuid>,
    image_bytes: usize,
    errors: VecDeque<(String, ToolErrorInfo)>,
    images_made: u128,
    errors_made: u128,
}

/// What an instance id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Image,
    ToolError,
}

impl Objects {
    /// Which kind of host object `id` is (an image may since have been forgotten).
    pub fn kind_of(&self, id: MontyUuid) -> Option<ObjectKind> {
        let n = u128::from_be_bytes(*id.as_bytes());
        if (FIRST_IMAGE..FIRST_IMAGE + 1 + self.images_made).contains(&n) {
            Some(ObjectKind::Image)
        } else if (FIRST_ERROR..FIRST_ERROR + 1 + self.errors_made).contains(&n) {
            Some(ObjectKind::ToolError)
        } else {
            None
        }
    }

    pub fn image_class() -> MontyObject {
        MontyObject::class_type("Image", IMAGE_CLASS, true, false, [])
    }

    fn tool_error_class() -> MontyObject {
        MontyObject::class_type("ToolError", TOOL_ERROR_CLASS, true, false, [])
    }

    /// An `Image` object for `image`, which the session keeps for its data.
    pub fn new_image(&mut self, tool: &str, image: Image) -> MontyObject {
        self.images_made += 1;
        let id = MontyUuid::from_u128(FIRST_IMAGE + self.images_made);
        let attrs = [
            ("mime", MontyObject::string(image.mime_type.as_str())),
            ("tool", MontyObject::string(tool)),
            ("size", MontyObject::int(image.data.len() as i64)),
        ]
        .map(|(k, v)| (MontyObject::string(k), v));
        self.image_bytes += image.data.len();
        self.images.insert(id, StoredImage { image });
        self.image_order.push_back(id);
        while self.image_bytes > MAX_IMAGE_BYTES && self.image_order.len() > 1 {
            let old = self.image_order.pop_front().expect("more than one image");
            if let Some(gone) = self.images.remove(&old) {
                self.image_bytes -= gone.image.data.len();
            }
        }
        MontyObject::class_instance(Self::image_class(), id, attrs)
    }

    pub fn image(&self, id: MontyUuid) -> Option<&StoredImage> {
        self.images.get(&id)
    }

    /// The exception text of a failed tool call, remembered so a handler can get the
    /// details back from it.
    pub fn tool_error_message(&mut self, failure: &Failure) -> String {
        let message = match &failure.tool {
            Some(tool) => format!("{tool}: [{}] {}", failure.code, failure.message),
            None => format!("[{}] {}", failure.code, failure.message),
        };
        let info = ToolErrorInfo {
            code: failure.code.clone(),
            message: failure.message.clone(),
            details: failure.details.clone(),
            tool: failure.tool.clone(),
        };
        self.errors.retain(|(m, _)| *m != message);
        self.errors.push_back((message.clone(), info));
        if self.errors.len() > MAX_ERRORS {
            self.errors.pop_front();
        }
        message
    }

    /// `__toolhost_tool_error__(e)`: the details object for a caught `ToolError`; any
    /// other value (an exception caught alongside, or one converted already) as it is.
    pub fn convert_caught(&mut self, caught: ObjectRef<'_>) -> MontyObject {
        let MontyNode::Exception { exc_type, arg } = unstable::node(caught) else {
            return caught.to_owned();
        };
        if *exc_type != TOOL_ERROR_EXC {
            return caught.to_owned();
        }
        let text = arg.clone().unwrap_or_default();
        let info = self
            .errors
            .iter()
            .rev()
            .find(|(m, _)| *m == text)
            .map(|(_, info)| info.clone())
            // Raised by the code itself (`raise ToolError("...")`).
            .unwrap_or(ToolErrorInfo {
                code: "tool_error".to_owned(),
                message: text,
                details: None,
                tool: None,
            });
        self.errors_made += 1;
        let id = MontyUuid::from_u128(FIRST_ERROR + self.errors_made);
        let opt_str = |s: &Option<String>| {
            s.as_deref()
                .map_or_else(MontyObject::none, MontyObject::string)
        };
        let attrs = [
            ("code", MontyObject::string(info.code.as_str())),
            ("message", MontyObject::string(info.message.as_str())),
            (
                "details",
                info.details
                    .as_ref()
                    .map_or_else(MontyObject::none, convert::to_python),
            ),
            ("tool", opt_str(&info.tool)),
        ]
        .map(|(k, v)| (MontyObject::string(k), v));
        MontyObject::class_instance(Self::tool_error_class(), id, attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use monty_types::ExcType;

    #[test]
    fn a_caught_tool_error_gets_its_details_back() {
        let mut objects = Objects::default();
        let mut failure = Failure::new("invalid_input", "expr: expected an expression");
        failure.tool = Some("calc".to_owned());
        let text = objects.tool_error_message(&failure);
        assert_eq!(text, "calc: [invalid_input] expr: expected an expression");
        let caught = MontyObject::exception(TOOL_ERROR_EXC, Some(text));
        let info = objects.convert_caught(caught.as_ref());
        let repr = info.py_repr();
        assert!(repr.starts_with("ToolError(code='invalid_input'"), "{repr}");
        assert!(repr.contains("tool='calc'"), "{repr}");
    }

    #[test]
    fn other_exceptions_pass_through() {
        let mut objects = Objects::default();
        let caught = MontyObject::exception(ExcType::ValueError, Some("x".into()));
        assert_eq!(objects.convert_caught(caught.as_ref()), caught);
    }

    #[test]
    fn old_images_are_forgotten_beyond_the_byte_budget() {
        let mut objects = Objects::default();
        let big = || Image {
            mime_type: "image/png".into(),
            data: vec![0; MAX_IMAGE_BYTES / 2 + 1],
        };
        objects.new_image("plot", big());
        let first = MontyUuid::from_u128(FIRST_IMAGE + 1);
        assert_eq!(objects.kind_of(first), Some(ObjectKind::Image));
        assert!(objects.image(first).is_some());
        objects.new_image("plot", big());
        assert!(objects.image(first).is_none());
    }
}
