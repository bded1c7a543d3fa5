//! Expressions in w and b: a short recursive-descent parser, direct evaluation in the run's precision, and
//! recording on the autodiff [`Tape`].
//!
//! ```text
//! sum     := product (('+' | '-') product)*
//! product := unary (('*' | '/') unary)*
//! unary   := '-' unary | power
//! power   := atom ('^' unary)?          right-associative, binds tighter than unary minus: -w^2 = -(w²)
//! atom    := number | w | b | pi | e | func '(' sum ')' | '(' sum ')'
//! func    := sin | cos | tan | exp | log | sqrt | abs | tanh       (log is natural)
//!          | sinh | cosh | asin | acos | atan | sigmoid | softplus | log1p | expm1 | relu
//! ```
//!
//! Numbers are decimal or scientific (`2`, `.5`, `1.5e-3`); `−`, `·` and `×` are read as `-`, `*` and `*`. An error
//! names the column (1-based, in characters) where the text stops making sense.
//!
//! A typed expression is at most [`MAX_CHARS`] characters and nests at most [`MAX_NESTING`] levels (brackets,
//! minus signs, powers and calls), so that parsing, evaluating, recording and dropping one never recurse deeper
//! than a thread's stack allows: `((((…w…))))` and `w+w+…+w` are refused with a reason, not a stack overflow.

use crate::engine::autodiff::{Tape, Unary};
use crate::engine::real::{Real, pow_const};
use crate::format::echo;

/// The longest expression accepted, in characters.
pub const MAX_CHARS: usize = 1000;
/// The most characters of a number or name an error quotes.
const ECHO_CHARS: usize = 40;
/// The deepest nesting accepted: brackets, unary minus, powers and function calls, counted together.
pub const MAX_NESTING: usize = 64;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number, `pi` or `e`.
    Num(f64),
    /// The parameter w.
    W,
    /// The parameter b.
    B,
    /// −a.
    Neg(Box<Expr>),
    /// a ∘ b.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// f(a).
    Call(Unary, Box<Expr>),
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// +
    Add,
    /// −
    Sub,
    /// ·
    Mul,
    /// /
    Div,
    /// ^
    Pow,
}

/// Why a text is not an expression, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based, in characters.
    pub column: usize,
    /// What was expected or is wrong.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(char),
    End,
}

/// Splits `text` into tokens, each with its 1-based column.
fn tokens(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_CHARS {
        return Err(err(MAX_CHARS + 1, format!("the expression is longer than {MAX_CHARS} characters")));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (c, col) = (chars[i], i + 1);
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let digits_after = |j: usize| chars.get(j).is_some_and(|d| d.is_ascii_digit());
            if matches!(chars.get(i), Some('e' | 'E')) {
                let sign = usize::from(matches!(chars.get(i + 1), Some('+' | '-')));
                if digits_after(i + 1 + sign) {
                    i += 1 + sign;
                    while digits_after(i) {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v = crate::engine::real::parse_decimal(&s)
                .map_err(|why| err(col, format!("“{}” {why}", echo(&s, ECHO_CHARS))))?;
            out.push((Tok::Num(v), col));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphabetic() || chars[i].is_ascii_digit() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else {
            let sym = match c {
                '−' => '-',
                '·' | '×' => '*',
                '+' | '-' | '*' | '/' | '^' | '(' | ')' => c,
                // A control character is written as its escape, so the message stays one printable line.
                _ => return Err(err(col, format!("unexpected “{}”", crate::format::escape_controls(&c.to_string())))),
            };
            out.push((Tok::Sym(sym), col));
            i += 1;
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

fn err(column: usize, message: String) -> ParseError {
    ParseError { column, message }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    /// How many [`Parser::unary`] calls are under way: every nested construct passes through it.
    depth: usize,
    /// A constant expression ([`constant`]): w and b are refused, and the messages name no parameters.
    constant: bool,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }

    fn col(&self) -> usize {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }

    fn eat(&mut self, sym: char) -> bool {
        let hit = *self.peek() == Tok::Sym(sym);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn found(&self) -> String {
        match self.peek() {
            Tok::Num(_) => "a number".into(),
            Tok::Name(n) => format!("“{}”", echo(n, ECHO_CHARS)),
            Tok::Sym(c) => format!("“{c}”"),
            Tok::End => "the end".into(),
        }
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.product()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                return Ok(e);
            };
            e = Expr::Bin(op, Box::new(e), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else {
                return Ok(e);
            };
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(err(self.col(), format!("nested more than {MAX_NESTING} levels deep")));
        }
        self.depth += 1;
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        let base = self.atom()?;
        if self.eat('^') {
            return Ok(Expr::Bin(BinOp::Pow, Box::new(base), Box::new(self.unary()?)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let col = self.col();
        let tok = self.peek().clone();
        self.at += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Sym('(') => {
                let e = self.sum()?;
                self.close(col)?;
                Ok(e)
            }
            Tok::Name(n) => self.name(&n, col),
            _ => {
                self.at -= 1;
                let what = if self.constant { "pi, e" } else { "w, b" };
                Err(err(col, format!("expected a number, {what}, a function or “(”, found {}", self.found())))
            }
        }
    }

    fn close(&mut self, open: usize) -> Result<(), ParseError> {
        if self.eat(')') {
            Ok(())
        } else {
            Err(err(self.col(), format!("expected “)” to close the “(” at column {open}, found {}", self.found())))
        }
    }

    fn name(&mut self, n: &str, col: usize) -> Result<Expr, ParseError> {
        if self.constant && (n == "w" || n == "b") {
            return Err(err(col, format!("a number cannot use the parameter {n}")));
        }
        match n {
            "w" => return Ok(Expr::W),
            "b" => return Ok(Expr::B),
            "pi" => return Ok(Expr::Num(std::f64::consts::PI)),
            "e" => return Ok(Expr::Num(std::f64::consts::E)),
            _ => {}
        }
        let Some(f) = Unary::ALL.into_iter().find(|f| f.name() == n) else {
            let case = if n.chars().any(char::is_uppercase) { " (names are lower-case)" } else { "" };
            return Err(err(
                col,
                format!(
                    "unknown name “{}”{case}: use {}pi, e, {} or {}",
                    echo(n, ECHO_CHARS),
                    if self.constant { "" } else { "w, b, " },
                    Unary::ALL[..Unary::ALL.len() - 1].iter().map(|f| f.name()).collect::<Vec<_>>().join(", "),
                    Unary::ALL[Unary::ALL.len() - 1].name()
                ),
            ));
        };
        let open = self.col();
        if !self.eat('(') {
            return Err(err(open, format!("expected “(” after {n}, found {}", self.found())));
        }
        let arg = self.sum()?;
        self.close(open)?;
        Ok(Expr::Call(f, Box::new(arg)))
    }
}

impl Expr {
    /// Parses an expression in w and b.
    ///
    /// # Errors
    /// The first column at which the text is not an expression, and why.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        parse_with(text, false)
    }

    /// The value at (w, b), computed in `F` in the same order as [`Expr::record`] records it.
    pub fn eval<F: Real>(&self, w: F, b: F) -> F {
        match self {
            Expr::Num(v) => F::from_f64(*v),
            Expr::W => w,
            Expr::B => b,
            Expr::Neg(a) => -a.eval(w, b),
            Expr::Bin(op, l, r) => {
                let x = l.eval(w, b);
                match (op, r.as_ref()) {
                    (BinOp::Pow, Expr::Num(c)) => pow_const(x, F::from_f64(*c)),
                    _ => binary(*op, x, r.eval(w, b)),
                }
            }
            Expr::Call(f, a) => f.apply(a.eval(w, b)),
        }
    }

    /// The first function, in the order evaluation meets them, whose argument at (w, b) lies outside its domain
    /// (its value there is not finite): "asin needs an argument in [−1, 1], and gets 2 there". The reason a start
    /// is refused.
    pub fn domain_fault(&self, w: f64, b: f64) -> Option<String> {
        match self {
            Expr::Num(_) | Expr::W | Expr::B => None,
            Expr::Neg(a) => a.domain_fault(w, b),
            Expr::Bin(_, l, r) => l.domain_fault(w, b).or_else(|| r.domain_fault(w, b)),
            Expr::Call(f, a) => {
                if let Some(fault) = a.domain_fault(w, b) {
                    return Some(fault);
                }
                let (x, domain) = (a.eval(w, b), f.domain()?);
                (x.is_finite() && !f.apply(x).is_finite())
                    .then(|| format!("{} needs {domain}, and gets {} there", f.name(), crate::format::repr(x)))
            }
        }
    }

    /// Records the expression on `tape`, given the nodes of w and b; returns the node of its value. A constant
    /// exponent records torch's `PowBackward0` (`x ** 2.0`), a variable one `PowBackward1` (`x ** y`).
    pub fn record<F: Real>(&self, tape: &mut Tape<F>, w: usize, b: usize) -> usize {
        match self {
            Expr::Num(v) => tape.leaf("const", vec![F::from_f64(*v)], false),
            Expr::W => w,
            Expr::B => b,
            Expr::Neg(a) => {
                let a = a.record(tape, w, b);
                tape.neg(a, "−a")
            }
            Expr::Bin(op, l, r) => {
                let a = l.record(tape, w, b);
                if let (BinOp::Pow, Expr::Num(c)) = (op, r.as_ref()) {
                    return tape.pow_const(a, F::from_f64(*c), "a ^ c");
                }
                let r = r.record(tape, w, b);
                match op {
                    BinOp::Add => tape.add(a, r, "a + b"),
                    BinOp::Sub => tape.sub(a, r, "a − b"),
                    BinOp::Mul => tape.mul(a, r, "a · b"),
                    BinOp::Div => tape.div(a, r, "a / b"),
                    BinOp::Pow => tape.pow(a, r, "a ^ b"),
                }
            }
            Expr::Call(f, a) => {
                let a = a.record(tape, w, b);
                tape.unary(a, *f, f.name())
            }
        }
    }
}

fn parse_with(text: &str, constant: bool) -> Result<Expr, ParseError> {
    let mut p = Parser { toks: tokens(text)?, at: 0, depth: 0, constant };
    let e = p.sum()?;
    match p.peek() {
        Tok::End => Ok(e),
        Tok::Sym(')') => Err(err(p.col(), "“)” without a matching “(”".into())),
        _ => Err(err(p.col(), format!("expected an operator (+ - * / ^), found {}", p.found()))),
    }
}

/// A constant expression (the grammar above without w and b), evaluated in f64 as [`Expr::eval`] evaluates it: what
/// a person types for a number. `0.066666667`, `1/15`, `2e-3`, `-pi/4`, `sqrt(2)/2` and `1−0.9` are numbers; a
/// lone decimal is read as Rust reads it (the nearest f64), and `1/15` is the f64 quotient of 1 and 15, the nearest
/// f64 to one fifteenth.
///
/// # Errors
/// The column where the text stops being a number and why, as [`Expr::parse`]; an empty text; a value that is not
/// finite (`1/0`, `log(0)`, `sqrt(-1)`), at column 1.
pub fn constant(text: &str) -> Result<f64, ParseError> {
    if text.trim().is_empty() {
        return Err(err(1, "empty: type a number, like 0.1, 1/15, 2e-3 or pi/4".into()));
    }
    let v = parse_with(text, true)?.eval(0.0_f64, 0.0_f64);
    if v.is_finite() {
        Ok(v)
    } else {
        let what = if v.is_nan() { "not a number (NaN)" } else { "infinite" };
        Err(err(1, format!("the value is {what}")))
    }
}

fn binary<F: Real>(op: BinOp, x: F, y: F) -> F {
    match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
    }
}
