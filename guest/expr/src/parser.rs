//! Parser from tokens to the flat syntax tree: recursive descent, with
//! precedence climbing for the binary operators.
//!
//! Grammar, lowest precedence first:
//!
//! ```text
//! or      = and ( "||" and )*
//! and     = cmp ( "&&" cmp )*
//! cmp     = add [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) add ]
//! add     = mul ( ( "+" | "-" ) mul )*
//! mul     = unary ( ( "*" | "/" | "%" ) unary )*
//! unary   = ( "-" | "+" | "!" ) unary | power
//! power   = primary [ "^" unary ]
//! primary = number | text | name | name "(" [ or ( "," or )* ] ")" | "(" or ")"
//! ```
//!
//! The exponent of `^` is a `unary`, which makes `^` right-associative, lets
//! `2^-1` parse, and makes `-2^2` mean `-(2^2)`.

use crate::MAX_DEPTH;
use crate::ast::{BinaryOp, Node, NodeId, NodeKind, UnaryOp};
use crate::error::{ErrorKind, ExprError, Span, suggest};
use crate::functions::{self, FUNCTIONS, Function};
use crate::lexer::{Tok, Token};

pub(crate) struct Parsed {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

pub(crate) fn parse(src: &str, tokens: Vec<Token>) -> Result<Parsed, ExprError> {
    let eof = Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    };
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        eof,
        nodes: Vec::new(),
        depth: 0,
        open_parens: 0,
    };
    if p.peek().tok == Tok::Eof {
        return Err(ExprError::at(
            ErrorKind::Empty,
            "empty expression",
            src,
            Span::new(0, 0),
        ));
    }
    let root = p.or()?;
    let next = p.peek();
    match next.tok {
        Tok::Eof => Ok(Parsed {
            nodes: p.nodes,
            root,
        }),
        Tok::RParen => Err(p.unmatched(next)),
        _ => Err(p.expected_operator("an operator")),
    }
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    eof: Token,
    nodes: Vec<Node>,
    depth: usize,
    open_parens: usize,
}

const CMP_LEVEL: u8 = 3;

/// The operator and its precedence level (higher binds tighter).
fn binary_op(tok: Tok) -> Option<(BinaryOp, u8)> {
    Some(match tok {
        Tok::OrOr => (BinaryOp::Or, 1),
        Tok::AndAnd => (BinaryOp::And, 2),
        Tok::EqEq => (BinaryOp::Eq, CMP_LEVEL),
        Tok::NotEq => (BinaryOp::Ne, CMP_LEVEL),
        Tok::Lt => (BinaryOp::Lt, CMP_LEVEL),
        Tok::Le => (BinaryOp::Le, CMP_LEVEL),
        Tok::Gt => (BinaryOp::Gt, CMP_LEVEL),
        Tok::Ge => (BinaryOp::Ge, CMP_LEVEL),
        Tok::Plus => (BinaryOp::Add, 4),
        Tok::Minus => (BinaryOp::Sub, 4),
        Tok::Star => (BinaryOp::Mul, 5),
        Tok::Slash => (BinaryOp::Div, 5),
        Tok::Percent => (BinaryOp::Rem, 5),
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens.get(self.pos).copied().unwrap_or(self.eof)
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn previous(&self) -> Option<Token> {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i).copied())
    }

    fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    fn err(&self, kind: ErrorKind, msg: impl Into<String>, span: Span) -> ExprError {
        ExprError::at(kind, msg, self.src, span)
    }

    fn push(&mut self, kind: NodeKind, span: Span) -> Result<NodeId, ExprError> {
        match NodeId::try_from(self.nodes.len()) {
            Ok(id) => {
                self.nodes.push(Node { kind, span });
                Ok(id)
            }
            Err(_) => Err(self.err(ErrorKind::TooLong, "expression is too large", span)),
        }
    }

    /// Error for a token that should have been an operator (or `what`).
    fn expected_operator(&self, what: &str) -> ExprError {
        let t = self.peek();
        let mut msg = format!("expected {what}, found {}", t.describe(self.src));
        let juxtaposed = matches!(t.tok, Tok::Num(_) | Tok::Ident | Tok::LParen)
            && self
                .previous()
                .is_some_and(|p| matches!(p.tok, Tok::Num(_) | Tok::Ident | Tok::RParen));
        if juxtaposed {
            msg.push_str(" (implicit multiplication is not supported: write '*')");
        }
        self.err(ErrorKind::UnexpectedToken, msg, t.span)
    }

    /// Precedence climbing over the binary levels: one frame per level of
    /// nesting instead of one per grammar rule keeps deep input off the
    /// stack.
    fn binary(&mut self, min_level: u8) -> Result<NodeId, ExprError> {
        let mut lhs = self.unary()?;
        while let Some((op, level)) = binary_op(self.peek().tok) {
            if level < min_level {
                break;
            }
            let t = self.bump();
            // Left-associative: the right operand binds only tighter levels.
            let rhs = self.binary(level + 1)?;
            if level == CMP_LEVEL && binary_op(self.peek().tok).is_some_and(|(_, l)| l == CMP_LEVEL)
            {
                return Err(self.chained(t));
            }
            lhs = self.push(NodeKind::Binary(op, lhs, rhs), t.span)?;
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<NodeId, ExprError> {
        self.binary(1)
    }

    // Error builders are kept out of line so that their formatting temporaries
    // do not enlarge the frames of the recursive functions.

    #[cold]
    #[inline(never)]
    fn chained(&self, first: Token) -> ExprError {
        let next = self.peek();
        self.err(
            ErrorKind::ChainedComparison,
            format!(
                "comparisons cannot be chained: write e.g. '(a {0} b) && (b {1} c)'",
                self.text(first.span),
                self.text(next.span)
            ),
            next.span,
        )
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> ExprError {
        self.err(
            ErrorKind::TooDeep,
            format!("expression is nested too deeply (the limit is {MAX_DEPTH} levels)"),
            self.peek().span,
        )
    }

    #[cold]
    #[inline(never)]
    fn unknown_function(&self, name: Token) -> ExprError {
        let text = self.text(name.span);
        let hint = match suggest(text, FUNCTIONS.iter().map(|f| f.name)) {
            Some(s) => format!(" (did you mean '{s}'?)"),
            None => String::new(),
        };
        self.err(
            ErrorKind::UnknownFunction,
            format!("unknown function '{text}'{hint}"),
            name.span,
        )
    }

    #[cold]
    #[inline(never)]
    fn wrong_arity(&self, name: Token, func: &Function, got: usize) -> ExprError {
        self.err(
            ErrorKind::WrongArity,
            format!(
                "function '{}' expects {}, got {got}",
                func.name,
                func.arity.describe(),
            ),
            name.span,
        )
    }

    #[cold]
    #[inline(never)]
    fn unmatched(&self, rparen: Token) -> ExprError {
        self.err(
            ErrorKind::UnbalancedParen,
            "unmatched ')' (no '(' to close)",
            rparen.span,
        )
    }

    /// Every recursive path of the grammar passes through here, so counting
    /// depth here bounds the stack.
    fn unary(&mut self) -> Result<NodeId, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        self.depth += 1;
        let op = match self.peek().tok {
            Tok::Minus => Some(UnaryOp::Neg),
            Tok::Plus => Some(UnaryOp::Plus),
            Tok::Bang => Some(UnaryOp::Not),
            _ => None,
        };
        let result = match op {
            Some(op) => {
                let t = self.bump();
                self.unary()
                    .and_then(|operand| self.push(NodeKind::Unary(op, operand), t.span))
            }
            None => self.power(),
        };
        self.depth -= 1;
        result
    }

    fn power(&mut self) -> Result<NodeId, ExprError> {
        let base = self.primary()?;
        if self.peek().tok != Tok::Caret {
            return Ok(base);
        }
        let t = self.bump();
        let exponent = self.unary()?;
        self.push(NodeKind::Binary(BinaryOp::Pow, base, exponent), t.span)
    }

    /// Only dispatches, so that the recursive paths through it (parentheses
    /// and calls) do not carry the other arms' temporaries on the stack.
    fn primary(&mut self) -> Result<NodeId, ExprError> {
        let t = self.peek();
        match t.tok {
            Tok::Num(v) => {
                self.bump();
                self.push(NodeKind::Num(v), t.span)
            }
            Tok::Text => {
                self.bump();
                self.push(NodeKind::Text, t.span)
            }
            Tok::Ident => {
                self.bump();
                if self.peek().tok == Tok::LParen {
                    self.call(t)
                } else {
                    self.name(t)
                }
            }
            Tok::LParen => self.parenthesized(t),
            Tok::RParen if self.open_parens == 0 => Err(self.unmatched(t)),
            _ => Err(self.missing_operand(t)),
        }
    }

    fn name(&mut self, t: Token) -> Result<NodeId, ExprError> {
        let kind = match functions::constant(self.text(t.span)) {
            Some(v) => NodeKind::Num(v),
            None => NodeKind::Var,
        };
        self.push(kind, t.span)
    }

    fn parenthesized(&mut self, lparen: Token) -> Result<NodeId, ExprError> {
        self.bump();
        self.open(lparen)?;
        let inner = self.or()?;
        self.close(lparen, |p| p.expected_operator("')' or an operator"))?;
        Ok(inner)
    }

    fn missing_operand(&self, found: Token) -> ExprError {
        let after = self
            .previous()
            .map(|p| format!(" after {}", p.describe(self.src)))
            .unwrap_or_default();
        if found.tok == Tok::Eof {
            // Point at the dangling operator: the end of input may be on a
            // line of its own.
            let span = self.previous().map_or(found.span, |p| p.span);
            self.err(
                ErrorKind::UnexpectedEnd,
                format!("expected an operand{after}, but the input ends"),
                span,
            )
        } else {
            self.err(
                ErrorKind::UnexpectedToken,
                format!(
                    "expected an operand{after}, found {}",
                    found.describe(self.src)
                ),
                found.span,
            )
        }
    }

    /// Called just after consuming `(`.
    fn open(&mut self, lparen: Token) -> Result<(), ExprError> {
        if self.peek().tok == Tok::Eof {
            return Err(self.unclosed(lparen));
        }
        self.open_parens += 1;
        Ok(())
    }

    fn close(&mut self, lparen: Token, otherwise: fn(&Self) -> ExprError) -> Result<(), ExprError> {
        match self.peek().tok {
            Tok::RParen => {
                self.bump();
                self.open_parens -= 1;
                Ok(())
            }
            Tok::Eof => Err(self.unclosed(lparen)),
            _ => Err(otherwise(self)),
        }
    }

    fn unclosed(&self, lparen: Token) -> ExprError {
        self.err(
            ErrorKind::UnbalancedParen,
            "unclosed '(' (missing ')')",
            lparen.span,
        )
    }

    fn call(&mut self, name: Token) -> Result<NodeId, ExprError> {
        let Some(func) = functions::lookup(self.text(name.span)) else {
            return Err(self.unknown_function(name));
        };
        let lparen = self.bump();
        self.open(lparen)?;
        let mut args = Vec::new();
        if self.peek().tok == Tok::RParen {
            self.close(lparen, |p| p.expected_operator("')'"))?;
        } else {
            loop {
                args.push(self.or()?);
                if self.peek().tok == Tok::Comma {
                    self.bump();
                    continue;
                }
                self.close(lparen, |p| p.expected_operator("',', ')' or an operator"))?;
                break;
            }
        }
        if !func.arity.accepts(args.len()) {
            return Err(self.wrong_arity(name, func, args.len()));
        }
        self.push(NodeKind::Call(func, args), name.span)
    }
}
