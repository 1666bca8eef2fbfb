use std::path::PathBuf;

/// Why scaffolding, building or registering a tool failed. Each says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    #[error("invalid tool name `{name}`: {why}")]
    InvalidName { name: String, why: String },

    #[error("`{}` already exists; toolhost new never overwrites: choose another --dir or name", .0.display())]
    DirectoryExists(PathBuf),

    #[error(
        "the toolhost SDK was not found at `{}` ({why}); {hint}",
        path.display()
    )]
    SdkNotFound {
        path: PathBuf,
        why: String,
        hint: String,
    },

    #[error("no Cargo.toml at `{}`: give the directory of a tool crate (one made by `toolhost new`)", .0.display())]
    NoManifest(PathBuf),

    #[error("cannot run cargo: {0} (is Rust installed, and cargo on PATH?)")]
    CargoUnavailable(std::io::Error),

    #[error("cargo build failed ({status}); its messages are above")]
    BuildFailed { status: String },

    #[error(
        "the build made no WebAssembly component for `{package}`: its [lib] needs \
         crate-type = [\"cdylib\", \"rlib\"] in Cargo.toml"
    )]
    NoComponent { package: String },

    #[error("{0}")]
    Registry(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl AuthoringError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| AuthoringError::Io { context, source }
    }
}
