//! Progress of long runs (reading corpora, training, cross-validation), reported to
//! whoever draws it: the command line shows a bar, a library user may pass
//! [`Progress::none`].

/// One report of progress.
#[derive(Debug, Clone, Copy)]
pub enum Step<'s> {
    /// A stage begins, with its number of steps when known.
    Stage {
        /// What the stage does, e.g. "reading gold pages".
        name: &'s str,
        /// Steps in the stage, `None` when unknown (a solver runs until it converges).
        total: Option<u64>,
    },
    /// Steps of the current stage are done.
    Advance(u64),
}

/// Where progress goes; copying it is free and it may be used from many threads.
#[derive(Clone, Copy, Default)]
pub struct Progress<'a> {
    sink: Option<&'a (dyn Fn(Step<'_>) + Sync)>,
}

impl<'a> Progress<'a> {
    /// Progress reported nowhere.
    pub fn none() -> Self {
        Progress { sink: None }
    }

    /// Progress reported to `sink`.
    pub fn to(sink: &'a (dyn Fn(Step<'_>) + Sync)) -> Self {
        Progress { sink: Some(sink) }
    }

    /// Begins a stage.
    pub fn stage(&self, name: &str, total: Option<u64>) {
        if let Some(sink) = self.sink {
            sink(Step::Stage { name, total });
        }
    }

    /// Marks `n` steps of the current stage done.
    pub fn advance(&self, n: u64) {
        if let Some(sink) = self.sink {
            sink(Step::Advance(n));
        }
    }
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("reported", &self.sink.is_some())
            .finish()
    }
}
