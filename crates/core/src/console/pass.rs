//! When the overview is recounted: the stored document (`console/overview`
//! in KV) holds the last finished [`Rollup`] and, while a pass runs, the
//! partial one with the listing's cursor. Each scheduled run adds one page
//! of summaries; a pass begins when the last one is older than
//! [`pass_interval`] of its size, or when the sender asks ("recount now").

use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::rollup::{pass_interval, Rollup};
use crate::config::Config;
use crate::time::Timestamp;

/// A pass part-way through the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    /// The counts so far.
    pub rollup: Rollup,
    /// Where the listing goes on; `None` before the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Pages counted so far.
    pub pages: u32,
}

/// What `console/overview` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// The last finished pass: what the console shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Rollup>,
    /// The pass under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<Pass>,
}

impl Overview {
    /// Whether a scheduled run at `now` has a page to count: a pass is under
    /// way, none ever finished, or the last is older than its interval.
    pub fn due(&self, now: Timestamp) -> bool {
        match (&self.pass, &self.done) {
            (Some(_), _) | (None, None) => true,
            (None, Some(done)) => {
                let finished = done.finished.unwrap_or(done.started);
                finished.plus(pass_interval(done.subscribers)) <= now
            }
        }
    }

    /// The pass to go on with at `now`: the one under way, or a new one
    /// (always a new one when `fresh`, as "recount now" asks).
    pub fn take_pass(&mut self, config: &Config, now: Timestamp, fresh: bool) -> Pass {
        match self.pass.take() {
            Some(p) if !fresh => p,
            _ => Pass {
                rollup: Rollup::new(config, now),
                cursor: None,
                pages: 0,
            },
        }
    }

    /// Stores `pass` after a page that ended at `cursor` (`None`: the
    /// listing is done and the pass replaces the shown rollup at `now`).
    pub fn after_page(&mut self, mut pass: Pass, cursor: Option<String>, now: Timestamp) {
        pass.pages += 1;
        match cursor {
            Some(c) => {
                pass.rollup.trim();
                pass.cursor = Some(c);
                self.pass = Some(pass);
            }
            None => {
                pass.rollup.finish(now);
                self.done = Some(pass.rollup);
                self.pass = None;
            }
        }
    }
}
