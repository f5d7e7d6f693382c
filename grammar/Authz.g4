// Authz.g4 — the grammar of the .authz policy language, v1.
//
// Contract: this grammar only recognises the shape of a policy file. Everything
// that needs names or types (unknown tools, missing `until` on a grant, a rule
// without a doc comment, `default allow`) is accepted here and reported by the
// checker, so authors get one precise diagnostic instead of a syntax error.
// The only consumer of the generated parser is compiler/parse.cpp.
grammar Authz;

file_ : header? item* EOF ;

header : kind=('policy' | 'module') qualifiedName ';' ;

qualifiedName : name ('.' name)* ;

item
  : useDecl
  | principalDecl
  | entityDecl
  | recordDecl
  | roleDecl
  | toolDecl
  | resourceDecl
  | promptDecl
  | groupDecl
  | obligationDecl
  | ruleDecl
  | grantDecl
  | defaultDecl
  ;

// `use mcp.filesystem;` loads a stdlib module; `use "common.authz";` a file
// relative to the one that says it.
useDecl : doc? 'use' (qualifiedName | STRING) ';' ;

principalDecl : doc? 'principal' name '{' fieldList? '}' ;
entityDecl    : doc? 'entity' name '{' fieldList? '}' ;
recordDecl    : doc? 'record' name '{' fieldList? '}' ;
fieldList     : field (',' field)* ','? ;
field         : doc? fieldName ':' type ;

roleDecl : doc? 'role' name (':' name (',' name)*)? ';' ;

toolDecl : doc? 'tool' targetName '(' paramList? ')' action=('read' | 'write')? ';' ;
paramList : param (',' param)* ','? ;
param : doc? fieldName ':' type sensitive='sensitive'? ;

// A resource is named, then matched by URI or URI template; the template's
// `{variables}` become String arguments.
resourceDecl : doc? 'resource' targetName STRING ';' ;
promptDecl   : doc? 'prompt' targetName '(' paramList? ')' ';' ;

groupDecl : doc? 'group' name '=' targetList ';' ;

obligationDecl : doc? 'obligation' name '(' paramList? ')' ';' ;

ruleDecl
  : doc? effect=('allow' | 'deny') name ':' (subjectList 'may')? targetList ruleClause* ';'
  ;

ruleClause
  : 'when' expr                                  # whenClause
  | 'unless' expr                                # unlessClause
  | 'from' TIMESTAMP                             # fromClause
  | 'until' TIMESTAMP                            # untilClause
  | 'with' obligationUse (',' obligationUse)*    # withClause
  ;

obligationUse : name '(' (namedArg (',' namedArg)*)? ')' ;
namedArg      : fieldName ':' expr ;

subjectList : subject (',' subject)* ;
subject
  : 'anyone'                # anyoneSubject
  | 'user' STRING           # userSubject
  | name                    # roleSubject
  ;

targetList : target (',' target)* ;
target
  : 'read'                  # readTarget
  | 'write'                 # writeTarget
  | targetName              # namedTarget
  ;

grantDecl
  : doc? 'grant' name ':' 'user' STRING 'may' targetList grantClause* ';'
  ;
grantClause
  : 'from' TIMESTAMP        # grantFrom
  | 'until' TIMESTAMP       # grantUntil
  | 'because' STRING        # grantBecause
  ;

// Only `default deny;` is meaningful; `default allow;` is parsed so the
// checker can explain why it is refused.
defaultDecl : doc? 'default' (effectWord=('allow' | 'deny')) ';' ;

doc : DOC_COMMENT+ ;

// ---- types ---------------------------------------------------------------
type
  : name '<' type (',' type)* '>' optional='?'?   # genericType
  | name optional='?'?                           # namedType
  ;

// ---- expressions -----------------------------------------------------------
// Precedence, loosest first: || ; && ; ! ; comparison ; + - ; postfix.
// A quantifier `all(x in list: body)` / `any(x in list: body)` is a primary:
// its parentheses delimit the body, so its scope never depends on precedence.
// `all` and `any` are not reserved (a rule or role may be called `all`): the
// quantifier is a name followed by `(`, and the adapter refuses any other
// name there.
// Chains are loops, not recursion, so long `a && b && ...` chains cost no stack.
expr       : andExpr ('||' andExpr)* ;
andExpr    : notExpr ('&&' notExpr)* ;
notExpr    : '!' notExpr | comparison ;
// One alternative with an optional tail (not three alternatives that each
// start with `additive`): the parser decides after the operand, with one
// token of lookahead, so errors inside the operand are reported where they are.
comparison : additive (compareOp additive | 'has' fieldName | 'is' name)? ;
compareOp  : '==' | '!=' | '<' | '<=' | '>' | '>='
           | 'in' | 'contains' | 'containsAll' | 'containsAny' | 'under' | 'matches'
           | 'startsWith' | 'endsWith' ;
additive   : unary (addOp=('+' | '-') unary)* ;
unary      : '-' unary | postfix ;
postfix    : primary ('.' fieldName)* ;
primary
  : 'true'                           # trueLiteral
  | 'false'                          # falseLiteral
  | INT                              # intLiteral
  | STRING                           # stringLiteral
  | TIMESTAMP                        # timestampLiteral
  | DURATION                         # durationLiteral
  | 'now'                            # nowExpr
  | 'user'                           # userExpr
  | 'args'                           # argsExpr
  | '[' (expr (',' expr)* ','?)? ']' # listLiteral
  | '(' expr ')'                     # parenExpr
  | quantifier=IDENT '(' name 'in' expr ':' expr ')' # quantifierExpr
  | name                             # nameExpr
  ;

// ---- names -----------------------------------------------------------------
name       : IDENT ;
targetName : IDENT | STRING ;
// Attribute and parameter names may be keywords (`args.from`, `user.read`).
fieldName
  : IDENT | 'policy' | 'module' | 'use' | 'principal' | 'entity' | 'record'
  | 'role' | 'tool' | 'resource' | 'prompt' | 'group' | 'obligation'
  | 'allow' | 'deny' | 'grant' | 'default' | 'may' | 'user' | 'args' | 'now'
  | 'when' | 'unless' | 'from' | 'until' | 'with' | 'because' | 'read'
  | 'write' | 'anyone' | 'is' | 'has' | 'in' | 'contains' | 'containsAll'
  | 'containsAny' | 'under' | 'matches' | 'startsWith' | 'endsWith' | 'true'
  | 'false' | 'sensitive'
  ;

// ---- lexer -----------------------------------------------------------------
TIMESTAMP
  : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT
    'T' DIGIT DIGIT ':' DIGIT DIGIT ':' DIGIT DIGIT ('.' DIGIT+)?
    ('Z' | ('+' | '-') DIGIT DIGIT ':' DIGIT DIGIT)
  ;
DURATION : (DIGIT+ ('d' | 'h' | 'm' | 's' | 'ms'))+ ;
INT      : DIGIT+ ;
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;
// Any backslash pair lexes as part of the string; the adapter decodes the
// escapes and reports an unknown one (`"\q"`) as one precise invalid-escape
// error instead of letting it end the string early.
STRING   : '"' (ANY_ESCAPE | ~["\\\r\n])* '"' ;
// An opening quote with no closing quote on its line: reported by the
// adapter as an unterminated string instead of a cascade of token errors.
// A final lone backslash (`"abc\` at the end of a line) belongs to it too.
UNTERMINATED_STRING : '"' (ANY_ESCAPE | ~["\\\r\n])* '\\'? ;

// `///` documents the declaration after it; `////...` (a banner line) is a
// plain comment, as in Rust.
DOC_COMMENT   : '///' (~[/\r\n] ~[\r\n]*)? ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// A `/*` that no `*/` closes. The body cannot contain `*/`, so this never
// outruns BLOCK_COMMENT on a closed comment (longest match would prefer it).
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
WS : [ \t\r\n]+ -> skip ;

// Anything else is one bad character; the adapter reports it with its position.
BAD_CHAR : . ;

fragment DIGIT  : [0-9] ;
// The valid escapes are \" \\ \/ \b \f \n \r \t and \uXXXX; compiler/parse.cpp
// checks them while decoding.
fragment ANY_ESCAPE : '\\' ~[\r\n] ;
