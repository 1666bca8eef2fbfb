//! The REPL: Python code that calls tools as functions (`calc(expr="2^10")`), run by the
//! Monty interpreter component in its own sandbox, one instance per session
//! ([`toolhost_core::python`]). Here: what front ends add on top of a session — images
//! shown or saved, the registry's scripts run as sessions of their own, and the
//! completions an interactive editor offers.

mod completion;
mod images;

pub use completion::Catalogue;
pub use images::{ImageSink, SavedImage, save_private};
pub use toolhost_core::python::{
    EvalOutcome, ImageItem, ModelBridge, PngPreference, PythonError, PythonLimits, PythonOptions,
    PythonSession, ToolCallRecord, help_text, signature,
};
