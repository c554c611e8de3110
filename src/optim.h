/*
 * optim.h: the machinery shared by the customer-base models (bgnbd.c,
 * gammagamma.c): the stored model value, the pattern table that an
 * aggregate compresses its customers into, the BFGS minimiser and the
 * special functions (special.c).
 */
#ifndef ENGAGE_OPTIM_H
#define ENGAGE_OPTIM_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

/* ---------------------------------------------------------------------------
 * Stored models
 * ---------------------------------------------------------------------------
 */

/* Format version written into every model; readers accept 1..this. */
#define MODEL_VERSION		1
#define MODEL_MAX_PARAMS	4

/* Which model a value or a fitting state belongs to; each has its own type. */
typedef enum ModelKind
{
	MODEL_BGNBD = 1,
	MODEL_GAMMAGAMMA = 2
} ModelKind;

/*
 * A fitted (or hand-built) model: 56 bytes, double aligned.  Parameters past
 * the model's count are zero; customers is 0 and loglik NaN for a model built
 * from its parameters alone.
 */
typedef struct ModelValue
{
	int16		version;		/* MODEL_VERSION at the time it was written */
	int16		kind;			/* ModelKind */
	int32		flags;			/* always zero */
	int64		customers;		/* customers the fit saw (0: not fitted here) */
	double		loglik;			/* log-likelihood at the parameters, or NaN */
	double		par[MODEL_MAX_PARAMS];
} ModelValue;

#define MODEL_SIZE			((int) sizeof(ModelValue))

/* What a model kind looks like: names of its type and parameters. */
typedef struct ModelSpec
{
	int			kind;
	const char *type_name;		/* SQL type */
	const char *display;		/* for messages */
	int			nparams;
	const char *param_names[MODEL_MAX_PARAMS];
} ModelSpec;

extern const ModelSpec *model_spec(int kind);
extern ModelValue *model_new(int kind, const double *par, int64 customers, double loglik);
extern void model_check(const ModelValue *m, int kind, int sqlstate);
extern ModelValue *model_arg(FunctionCallInfo fcinfo, int argno, int kind);
extern Datum model_in_datum(FunctionCallInfo fcinfo, int kind);
extern Datum model_out_datum(FunctionCallInfo fcinfo, int kind);
extern Datum model_recv_datum(FunctionCallInfo fcinfo, int kind);
extern Datum model_send_datum(FunctionCallInfo fcinfo, int kind);
extern Datum model_jsonb_datum(FunctionCallInfo fcinfo, int kind);
extern Datum model_make_datum(FunctionCallInfo fcinfo, int kind);

/* ---------------------------------------------------------------------------
 * Pattern tables: customers compressed to distinct keys with weights
 * ---------------------------------------------------------------------------
 */
#define PATTERN_KEYS		3

/* One distinct pattern (unused keys are 0) and how many customers have it. */
typedef struct ModelPattern
{
	double		key[PATTERN_KEYS];
	int64		weight;			/* 0 marks an empty slot */
} ModelPattern;

/* Checks one pattern's keys; raises an error if they are invalid. */
typedef void (*PatternCheckFn) (const double *key);

/* An open-addressing hash table of patterns, grown by doubling. */
typedef struct PatternTable
{
	int32		kind;			/* ModelKind */
	int32		nkeys;			/* keys used, 1..PATTERN_KEYS */
	int64		used;			/* distinct patterns */
	int64		capacity;		/* slots, a power of two */
	int64		customers;		/* sum of the weights */
	ModelPattern *slots;
	MemoryContext cxt;			/* where slots live */
} PatternTable;

extern PatternTable *pattern_table_new(MemoryContext cxt, int kind, int nkeys);
extern void pattern_table_add(PatternTable *t, const double *key, int64 weight);
extern PatternTable *pattern_table_copy(const PatternTable *src, MemoryContext cxt);
extern void pattern_table_merge(PatternTable *dst, const PatternTable *src);
extern ModelPattern *pattern_table_sorted(const PatternTable *t);
extern bytea *pattern_table_serialize(const PatternTable *t);
extern PatternTable *pattern_table_deserialize(bytea *b, int kind, int nkeys,
											   PatternCheckFn check);
extern PatternTable *pattern_state_for_update(FunctionCallInfo fcinfo, int kind, int nkeys);
extern Datum pattern_combine_datum(FunctionCallInfo fcinfo, int kind);
extern int	pattern_cmp_double(const void *a, const void *b);
extern int64 pattern_unique_doubles(double *v, int64 n);
extern int64 pattern_index_of(const double *v, int64 n, double x);

/* ---------------------------------------------------------------------------
 * Minimisation
 * ---------------------------------------------------------------------------
 */
#define OPTIM_MAX_DIM		4

/*
 * An objective: returns f(theta) and its gradient in grad; a point outside
 * the domain returns +Infinity (grad then need not be set).
 */
typedef double (*OptimFn) (const double *theta, double *grad, void *arg);

typedef enum OptimStatus
{
	OPTIM_CONVERGED = 0,		/* gradient below tolerance */
	OPTIM_STALLED,				/* no further decrease possible */
	OPTIM_MAXITER				/* iteration limit reached */
} OptimStatus;

typedef struct OptimResult
{
	OptimStatus status;
	int			iterations;
	int			evaluations;
	double		f;
	double		gradnorm;		/* infinity norm at the result */
} OptimResult;

extern OptimResult engage_bfgs(OptimFn fn, void *arg, int n, double *theta,
							   int maxiter, double gtol);

/* Fit a model from several starting points; errors if none converges. */
extern void model_fit_run(int kind, OptimFn fn, void *arg, const double *starts,
						  int nstarts, double *theta_out, double *f_out);

/* ---------------------------------------------------------------------------
 * Special functions (special.c)
 * ---------------------------------------------------------------------------
 */
extern double engage_digamma(double x);
extern double engage_hyp2f1(double a, double b, double c, double z);
extern double engage_hyp2f1_euler(double a, double b, double c, double z);

/* gammagamma.c: E(mean spend | frequency, mean spend) for clv() in bgnbd.c. */
extern double gg_expected_avg_value(const ModelValue *m, double x, double mv);

/* Whole-number, non-negative, finite check shared by the models' inputs. */
extern void model_check_frequency(double x);
extern void model_check_nonneg(double v, const char *what, const char *meaning);
extern void model_check_customer(double x, double tx, double T);

/* Largest frequency accepted (far beyond any real purchase count). */
#define MODEL_MAX_FREQUENCY	1e9

#endif							/* ENGAGE_OPTIM_H */
