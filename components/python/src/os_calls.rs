//! What the interpreter asks of the operating system, answered: the clock and sleeping
//! work; files, the environment and unknown modules do not, and the exception says what
//! this Python offers instead (never a silent empty answer).

use monty_types::{ExcType, ExtFunctionResult, MontyException, MontyObject, OsFunctionCall};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::rewrite::DENIED_MODULES;

/// Where to look instead, said by every refusal.
const INSTEAD: &str = "Tools are Python functions here: TOOLS() lists them and help(name) \
                       explains one; results come back as Python values.";

/// How an OS call is answered.
pub enum OsAnswer {
    Resume(ExtFunctionResult),
    /// The sleep would outlast the input's time: stop the input instead.
    OutOfTime,
}

pub fn answer(call: &OsFunctionCall, deadline: Instant) -> OsAnswer {
    use OsFunctionCall as Os;
    let value = |v: MontyObject| OsAnswer::Resume(ExtFunctionResult::Return(v));
    match call {
        Os::Import(module) => OsAnswer::Resume(ExtFunctionResult::Error(missing_module(module))),
        Os::ImportStubs(_) => OsAnswer::Resume(ExtFunctionResult::NotFound(String::new())),
        Os::Time(_) => value(MontyObject::float(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        )),
        Os::Sleep(d) | Os::SystemSleep(d) | Os::AsyncSleep(d) | Os::AsyncSystemSleep(d) => {
            if Instant::now() + *d >= deadline {
                return OsAnswer::OutOfTime;
            }
            std::thread::sleep(*d);
            value(MontyObject::none())
        }
        // The environment is empty: what an unset variable gives.
        Os::Getenv(args) => value(args.default.clone()),
        Os::GetEnviron => value(MontyObject::dict([])),
        Os::Urandom(_) | Os::DateToday | Os::DateTimeNow(_) => {
            OsAnswer::Resume(ExtFunctionResult::Error(MontyException::new(
                ExcType::NotImplementedError,
                Some(format!(
                    "{} is not served by this sandbox's host",
                    call.name()
                )),
            )))
        }
        _ => OsAnswer::Resume(ExtFunctionResult::Error(no_files(call.name()))),
    }
}

fn no_files(what: &str) -> MontyException {
    MontyException::new(
        ExcType::PermissionError,
        Some(format!(
            "{what}: this Python has no file system (nor processes, environment or \
             network). {INSTEAD} A tool the registry grants a directory (such as data) can \
             read files there; an Image saves with img.save(\"name.png\")."
        )),
    )
}

/// The `ModuleNotFoundError` for a module this sandbox does not have.
pub fn missing_module(module: &str) -> MontyException {
    let top = module.split('.').next().unwrap_or(module);
    let why = match top {
        m if DENIED_MODULES.contains(&m) => {
            "this Python has no file system, processes or environment to reach".to_owned()
        }
        "subprocess" | "multiprocessing" | "threading" | "signal" | "ctypes" | "shutil"
        | "tempfile" | "glob" | "io" | "sqlite3" | "pickle" => {
            "this Python has no files or processes".to_owned()
        }
        "socket" | "ssl" | "urllib" | "http" | "requests" | "httpx" | "aiohttp" | "ftplib"
        | "smtplib" => "this Python has no network; a tool such as web_fetch (if TOOLS() \
                        lists it) reaches the web for you"
            .to_owned(),
        "numpy" | "pandas" | "scipy" | "sklearn" | "statsmodels" | "matplotlib" | "sympy"
        | "polars" | "torch" => "it is not part of this interpreter; computation beyond \
                                 plain Python is what the tools do (calc, stats, data, mcmc, \
                                 plot_sixel... as TOOLS() lists them)"
            .to_owned(),
        _ => "it is not part of this interpreter".to_owned(),
    };
    let available: Vec<&str> = monty::builtin_module_names()
        .into_iter()
        .filter(|m| !DENIED_MODULES.contains(m))
        .collect();
    MontyException::new(
        ExcType::ModuleNotFoundError,
        Some(format!(
            "No module named '{module}': {why}. {INSTEAD} Modules available: {}.",
            available.join(", ")
        )),
    )
}

/// What a sleep that would outlast the input reports.
pub fn out_of_time(timeout: Duration) -> MontyException {
    MontyException::new(
        ExcType::TimeoutError,
        Some(format!(
            "feed time limit exceeded: the sleep would outlast the input's {}",
            crate::errors::human_duration(timeout)
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_modules_say_what_is_available() {
        let e = missing_module("os");
        let msg = e.message().unwrap();
        assert!(msg.contains("No module named 'os'"), "{msg}");
        assert!(msg.contains("TOOLS()"), "{msg}");
        assert!(msg.contains("json"), "{msg}");
        assert!(!msg.contains(" os,"), "{msg}");
        assert!(
            missing_module("requests")
                .message()
                .unwrap()
                .contains("no network")
        );
    }
}
