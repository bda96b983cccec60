//! Errors a user can cause: unreadable files, RON syntax, and semantic problems.
//!
//! Syntax errors carry file, line and column and are rendered with the offending line and a
//! caret (codespan-reporting, the renderer many Rust tools use). Semantic problems carry a
//! field path such as `products[3].shelf` and are all reported at once.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// One semantic problem: where (field path) and what, in plain words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{}: {message}", file.display())]
    Io { file: PathBuf, message: String },
    #[error("{rendered}")]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
        /// Human-readable report with the offending line.
        rendered: String,
    },
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

fn render_problems(file: &Path, problems: &[Problem]) -> String {
    let mut out = format!(
        "{}: {} problem{} found\n",
        file.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str(&format!("  error: {p}\n"));
    }
    out
}

impl ScenarioError {
    /// Builds a syntax error from ron's span, rendering the offending line.
    pub fn syntax(file: &Path, text: &str, err: ron::error::SpannedError) -> Self {
        let line = err.span.start.line.max(1);
        let column = err.span.start.col.max(1);
        let message = err.code.to_string();
        let start = byte_offset(text, line, column);
        let end = byte_offset(text, err.span.end.line.max(1), err.span.end.col.max(1))
            .max(start + 1)
            .min(text.len().max(start));
        let simple = SimpleFile::new(file.display().to_string(), text);
        let diagnostic = Diagnostic::error()
            .with_message(message.clone())
            .with_labels(vec![Label::primary((), start..end)]);
        let rendered = term::emit_into_string(&term::Config::default(), &simple, &diagnostic)
            .unwrap_or_else(|_| format!("{}:{line}:{column}: {message}", file.display()));
        ScenarioError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message,
            rendered,
        }
    }

    /// The semantic problems, if this is a validation error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// Byte offset of a 1-based (line, column-in-characters) position, clamped to the text.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column - 1)
                    .map(|(b, _)| b)
                    .unwrap_or(l.trim_end_matches('\n').len());
        }
        offset += l.len();
    }
    text.len()
}
