//! Just enough of TypeScript's declaration syntax to read the response
//! types of a `.d.ts` file: interfaces (with `extends`), type aliases, and
//! the type expressions they use (unions, intersections, arrays, object
//! literals, literals, `Pick`/`Omit`/`MappedOmit`/`Partial`/`Record`/`Array`).
//!
//! Declarations are kept as token ranges and parsed when first asked for,
//! so the rest of the file (classes, generics this reader does not know)
//! never has to parse.

use std::collections::{BTreeMap, HashMap};

/// A type, as far as JSON can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `unknown`, `any`: anything.
    Any,
    Str,
    Num,
    Bool,
    Null,
    /// A string or number literal type.
    Lit(serde_json::Value),
    Array(Box<Ty>),
    Union(Vec<Ty>),
    Inter(Vec<Ty>),
    /// An object with these fields (name → optional, type); other keys are
    /// allowed, as TypeScript's structural types allow them.
    Obj(BTreeMap<String, (bool, Ty)>),
    /// A named interface or alias, resolved on use.
    Ref(String),
    /// A built-in generic over these arguments.
    Generic(String, Vec<Ty>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Punct(char),
    /// `=>`
    Arrow,
}

/// Why a declaration could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i + 1 < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if c == b'\'' || c == b'"' || c == b'`' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push(Tok::Str(text[start..i.min(b.len())].to_owned()));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_owned()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num(text[start..i].parse().unwrap_or(0.0)));
        } else if b[i..].starts_with(b"=>") {
            out.push(Tok::Arrow);
            i += 2;
        } else {
            // Multi-byte characters only appear in comments and strings.
            out.push(Tok::Punct(char::from(c)));
            i += 1;
        }
    }
    out
}

/// The declarations of one `.d.ts` file.
pub struct Declarations {
    toks: Vec<Tok>,
    /// Interface name → (index of its `{`, extends clause's range).
    interfaces: HashMap<String, (usize, std::ops::Range<usize>)>,
    /// Alias name → range of its right-hand side.
    aliases: HashMap<String, std::ops::Range<usize>>,
    /// Class name → range of its body.
    classes: HashMap<String, std::ops::Range<usize>>,
}

/// The index just past the bracket closing the one opened at `at`.
fn close(toks: &[Tok], at: usize) -> usize {
    let (open, shut) = match toks[at] {
        Tok::Punct('{') => ('{', '}'),
        Tok::Punct('(') => ('(', ')'),
        Tok::Punct('[') => ('[', ']'),
        _ => ('<', '>'),
    };
    let mut depth = 0;
    let mut i = at;
    while i < toks.len() {
        match &toks[i] {
            Tok::Punct(c) if *c == open => depth += 1,
            Tok::Punct(c) if *c == shut => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    toks.len()
}

impl Declarations {
    pub fn read(text: &str) -> Declarations {
        let toks = tokenize(text);
        let (mut interfaces, mut aliases, mut classes) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        let mut i = 0;
        while i < toks.len() {
            match (&toks[i], toks.get(i + 1)) {
                (Tok::Ident(kw), Some(Tok::Ident(name))) if kw == "interface" || kw == "class" => {
                    let mut j = i + 2;
                    if toks.get(j) == Some(&Tok::Punct('<')) {
                        j = close(&toks, j);
                    }
                    let extends = j;
                    while j < toks.len() && toks[j] != Tok::Punct('{') {
                        if toks[j] == Tok::Punct('<') {
                            j = close(&toks, j);
                        } else {
                            j += 1;
                        }
                    }
                    if j >= toks.len() {
                        break;
                    }
                    let end = close(&toks, j);
                    if kw == "interface" {
                        interfaces.insert(name.clone(), (j, extends..j));
                    } else {
                        classes.insert(name.clone(), j..end);
                    }
                    i = end;
                }
                (Tok::Ident(kw), Some(Tok::Ident(name))) if kw == "type" => {
                    let mut j = i + 2;
                    if toks.get(j) == Some(&Tok::Punct('<')) {
                        j = close(&toks, j);
                    }
                    if toks.get(j) != Some(&Tok::Punct('=')) {
                        i += 1;
                        continue;
                    }
                    let start = j + 1;
                    let mut k = start;
                    while k < toks.len() && toks[k] != Tok::Punct(';') {
                        if matches!(toks[k], Tok::Punct('{' | '(' | '[' | '<')) {
                            k = close(&toks, k);
                        } else {
                            k += 1;
                        }
                    }
                    aliases.insert(name.clone(), start..k);
                    i = k;
                }
                (Tok::Punct('{'), _) => i = close(&toks, i),
                _ => i += 1,
            }
        }
        Declarations {
            toks,
            interfaces,
            aliases,
            classes,
        }
    }

    /// The source text (roughly) of the return types of `class.method`'s
    /// overloads: the type arguments of each `Promise<GitlabAPIResponse<…>>`.
    pub fn method_returns(&self, class: &str, method: &str) -> Vec<String> {
        let Some(body) = self.classes.get(class) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut i = body.start + 1;
        let mut in_method = false;
        while i < body.end {
            match &self.toks[i] {
                Tok::Ident(name)
                    if name == method
                        && matches!(self.toks.get(i + 1), Some(Tok::Punct('<' | '('))) =>
                {
                    in_method = true;
                }
                Tok::Ident(p) if in_method && p == "Promise" => {
                    let end = close(&self.toks, i + 1);
                    let words: Vec<String> = self.toks[i + 1..end]
                        .iter()
                        .filter_map(|t| match t {
                            Tok::Ident(w) => Some(w.clone()),
                            _ => None,
                        })
                        .collect();
                    found.push(words.join(" "));
                    in_method = false;
                    i = end;
                    continue;
                }
                Tok::Punct('{' | '(') if !in_method => {
                    i = close(&self.toks, i);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        found
    }

    /// The type named `name`.
    pub fn named(&self, name: &str) -> Result<Ty, ParseError> {
        if let Some((brace, extends)) = self.interfaces.get(name) {
            let mut parser = Parser {
                toks: &self.toks,
                at: *brace,
            };
            let own = parser.object()?;
            let mut parts = Vec::new();
            let mut p = Parser {
                toks: &self.toks[..extends.end],
                at: extends.start,
            };
            if p.eat_ident("extends") {
                loop {
                    parts.push(p.postfix()?);
                    if !p.eat(',') {
                        break;
                    }
                }
            }
            parts.push(own);
            return Ok(if parts.len() == 1 {
                parts.remove(0)
            } else {
                Ty::Inter(parts)
            });
        }
        if let Some(range) = self.aliases.get(name) {
            let mut parser = Parser {
                toks: &self.toks[..range.end],
                at: range.start,
            };
            let ty = parser.union()?;
            if parser.at != range.end {
                return Err(ParseError(format!("cannot read the type {name}")));
            }
            return Ok(ty);
        }
        Err(ParseError(format!("the declarations have no type {name}")))
    }

    /// Parses a type expression written by the caller, e.g. `BranchSchema[]`.
    pub fn parse(text: &str) -> Result<Ty, ParseError> {
        let toks = tokenize(text);
        let mut parser = Parser { toks: &toks, at: 0 };
        let ty = parser.union()?;
        if parser.at != toks.len() {
            return Err(ParseError(format!("cannot read the type {text}")));
        }
        Ok(ty)
    }
}

struct Parser<'t> {
    toks: &'t [Tok],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(w)) if w == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(ParseError(format!(
                "expected `{c}`, found {:?} at token {}",
                self.peek(),
                self.at
            )))
        }
    }

    fn union(&mut self) -> Result<Ty, ParseError> {
        self.eat('|');
        let mut options = vec![self.intersection()?];
        while self.eat('|') {
            options.push(self.intersection()?);
        }
        Ok(if options.len() == 1 {
            options.remove(0)
        } else {
            Ty::Union(options)
        })
    }

    fn intersection(&mut self) -> Result<Ty, ParseError> {
        let mut parts = vec![self.postfix()?];
        while self.eat('&') {
            parts.push(self.postfix()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Inter(parts)
        })
    }

    fn postfix(&mut self) -> Result<Ty, ParseError> {
        let mut ty = self.primary()?;
        while self.peek() == Some(&Tok::Punct('['))
            && self.toks.get(self.at + 1) == Some(&Tok::Punct(']'))
        {
            self.at += 2;
            ty = Ty::Array(Box::new(ty));
        }
        Ok(ty)
    }

    fn primary(&mut self) -> Result<Ty, ParseError> {
        let tok = self
            .peek()
            .cloned()
            .ok_or_else(|| ParseError("a type ends too soon".into()))?;
        match tok {
            Tok::Punct('(') => {
                self.at += 1;
                let ty = self.union()?;
                self.expect(')')?;
                Ok(ty)
            }
            Tok::Punct('{') => self.object(),
            Tok::Str(s) => {
                self.at += 1;
                Ok(Ty::Lit(serde_json::Value::String(s)))
            }
            Tok::Num(n) => {
                self.at += 1;
                Ok(Ty::Lit(serde_json::json!(n)))
            }
            Tok::Ident(name) => {
                self.at += 1;
                let mut args = Vec::new();
                if self.eat('<') {
                    loop {
                        args.push(self.union()?);
                        if !self.eat(',') {
                            break;
                        }
                    }
                    self.expect('>')?;
                }
                Ok(match (name.as_str(), args.is_empty()) {
                    ("string", true) => Ty::Str,
                    ("number", true) => Ty::Num,
                    ("boolean", true) => Ty::Bool,
                    ("true", true) => Ty::Lit(serde_json::Value::Bool(true)),
                    ("false", true) => Ty::Lit(serde_json::Value::Bool(false)),
                    ("null", true) => Ty::Null,
                    ("unknown" | "any" | "undefined" | "object", true) => Ty::Any,
                    (_, true) => Ty::Ref(name),
                    (_, false) => Ty::Generic(name, args),
                })
            }
            other => Err(ParseError(format!("cannot read a type at {other:?}"))),
        }
    }

    /// `{ name?: type; … }`; index signatures only say other keys are
    /// allowed, and method signatures are no data.
    fn object(&mut self) -> Result<Ty, ParseError> {
        self.expect('{')?;
        let mut fields = BTreeMap::new();
        while !self.eat('}') {
            if self.peek() == Some(&Tok::Punct('[')) {
                self.at = close(self.toks, self.at);
                self.expect(':')?;
                self.union()?;
            } else {
                self.eat_ident("readonly");
                let name = match self.peek().cloned() {
                    Some(Tok::Ident(n) | Tok::Str(n)) => n,
                    other => return Err(ParseError(format!("cannot read a field at {other:?}"))),
                };
                self.at += 1;
                let optional = self.eat('?');
                if matches!(self.peek(), Some(Tok::Punct('(' | '<'))) {
                    // A method: skip to the end of its signature.
                    while !matches!(self.peek(), None | Some(Tok::Punct(';' | '}'))) {
                        if matches!(self.peek(), Some(Tok::Punct('{' | '(' | '[' | '<'))) {
                            self.at = close(self.toks, self.at);
                        } else {
                            self.at += 1;
                        }
                    }
                } else {
                    self.expect(':')?;
                    fields.insert(name, (optional, self.union()?));
                }
            }
            if !self.eat(';') {
                self.eat(',');
            }
        }
        Ok(Ty::Obj(fields))
    }
}
