//! Lesson files: the built-ins load, each page's intended action passes its check and a wrong one fails, and
//! malformed files give one-line errors with their line and field.
