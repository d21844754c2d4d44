//! Exit codes a script can use, and the errors that lead to them.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done: every recipient may be mailed, every record was taken, every log verifies |
//! | 1 | done, but some recipients may not be mailed, some records were skipped, or some logs fail verification (the output is complete) |
//! | 2 | usage or input error: a bad argument, an unreadable or malformed file (with its line and column), a request the API refused as invalid (4xx) |
//! | 3 | server or network error after every retry: rerun the same command to go on where it stopped |

use std::fmt;
use std::io;

/// How a finished command went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was done and accepted.
    Done,
    /// Done, with some recipients refused, records skipped or logs failing.
    SomeRefused,
    /// A usage or input error.
    Usage,
    /// A server or network error.
    Server,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::SomeRefused => 1,
            Outcome::Usage => 2,
            Outcome::Server => 3,
        }
    }

    /// `SomeRefused` when `refused` is not zero, else `Done`.
    pub fn refused_if(refused: usize) -> Outcome {
        if refused == 0 {
            Outcome::Done
        } else {
            Outcome::SomeRefused
        }
    }
}

/// Why a command stopped before it was done.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments or a file that cannot be used (exit 2). The message
    /// names the file, line and column where there is one.
    Input(String),
    /// The API refused a request as the caller's mistake (4xx, exit 2).
    Refused {
        /// HTTP status.
        status: u16,
        /// The API's stable error code.
        code: String,
        /// Its human message.
        message: String,
    },
    /// The server or the network failed, after every retry (exit 3).
    Server(String),
    /// A local file could not be read or written (exit 2).
    Io(String, io::Error),
}

impl Failure {
    /// The exit code this failure ends the command with.
    pub fn outcome(&self) -> Outcome {
        match self {
            Failure::Input(_) | Failure::Refused { .. } | Failure::Io(..) => Outcome::Usage,
            Failure::Server(_) => Outcome::Server,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, error: io::Error) -> Failure {
        Failure::Io(path.display().to_string(), error)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(message) => f.write_str(message),
            Failure::Refused {
                status,
                code,
                message,
            } => write!(
                f,
                "the API refused the request ({status} {code}): {message}"
            ),
            Failure::Server(message) => write!(
                f,
                "{message}\n(rerun the same command to go on where it stopped)"
            ),
            Failure::Io(path, error) => write!(f, "{path}: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        assert_eq!(Outcome::Done.code(), 0);
        assert_eq!(Outcome::SomeRefused.code(), 1);
        assert_eq!(Outcome::Usage.code(), 2);
        assert_eq!(Outcome::Server.code(), 3);
    }

    #[test]
    fn an_api_refusal_is_a_usage_error_and_a_server_failure_is_not() {
        let refused = Failure::Refused {
            status: 422,
            code: "unknown_list".into(),
            message: "no such list".into(),
        };
        assert_eq!(refused.outcome(), Outcome::Usage);
        assert_eq!(Failure::Server("503".into()).outcome(), Outcome::Server);
    }
}
