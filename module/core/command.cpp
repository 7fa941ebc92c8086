// SPDX-License-Identifier: GPL-2.0
// The ctl command parser. Strict on purpose: every token is accounted for, and anything it does
// not understand is refused with a message naming that token.
#include "command.h"
#include "errno.h"
#include "text_writer.hpp"
#include "../../include/rmapscope/abi.h"

namespace {

using rs::StrView;
using rs::TextWriter;
using rs::u64;
using rs::usize;

bool equals(StrView a, StrView b)
{
	if (a.size() != b.size())
		return false;
	for (usize i = 0; i < a.size(); ++i)
		if (a[i] != b[i])
			return false;
	return true;
}

// Decimal or 0x-hex, no sign, no spaces; false on anything else or on overflow of u64.
bool parse_u64(StrView s, u64 &out)
{
	u64 base = 10;
	usize i = 0;
	if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == s.size())
		return false;
	u64 v = 0;
	for (; i < s.size(); ++i) {
		char c = s[i];
		u64 d;
		if (c >= '0' && c <= '9')
			d = static_cast<u64>(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = static_cast<u64>(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = static_cast<u64>(c - 'A' + 10);
		else
			return false;
		if (v > (~static_cast<u64>(0) - d) / base)
			return false;
		v = v * base + d;
	}
	out = v;
	return true;
}

// Shows a token in a message: at most 32 characters, so a hostile token cannot flood the reply.
void quote(TextWriter &w, StrView tok)
{
	w.ch('\'');
	for (usize i = 0; i < tok.size() && i < 32; ++i)
		w.ch(tok[i]);
	if (tok.size() > 32)
		w.str("...");
	w.ch('\'');
}

// The verbs: the ABI's one list (RMAPSCOPE_VERBS).
struct VerbSpec {
	const char *name;
	int verb;
};
constexpr VerbSpec kVerbs[] = {
#define RS_VERB_SPEC(id, name) {name, RS_VERB_##id},
	RMAPSCOPE_VERBS(RS_VERB_SPEC)
#undef RS_VERB_SPEC
};

// The keys a command may carry: one enum, one table. A key's bit in Parser::seen_ is 1 << Key.
enum Key : unsigned { kPid, kAddr, kPfn, kFormat, kMax, kStart, kEnd, kDetail, kOwners, kStartPfn, kEndPfn, kReferenced, kFamily, kMethod, kYoung, kSets, kNrKeys };

// What a key's value is: a number in [min, max], or one of two words (format=, owners=).
struct Words {
	const char *zero, *one;		// the value stored as 0 and as 1
	const char *bad;		// the refusal of any other word
};
constexpr Words kFormatWords{"text", "json", "format must be text or json, got "};
constexpr Words kOwnersWords{"owner", "all", "owners must be owner or all, got "};
constexpr Words kMethodWords{"bulk", "walk", "method must be bulk or walk, got "};

struct KeySpec {
	const char *name;
	Key key;
	u64 min, max;			// for numbers; min > max: no range check
	const Words *words;		// a word, not a number
	const char *bad = nullptr;	// the refusal of an out-of-range value, where not "KEY out of range"
};

constexpr KeySpec kKeys[] = {
	{"pid", kPid, 1, RMAPSCOPE_PID_MAX, nullptr},
	{"addr", kAddr, 1, 0, nullptr},
	{"pfn", kPfn, 1, 0, nullptr},
	{"format", kFormat, 1, 0, &kFormatWords},
	{"max", kMax, 1, RMAPSCOPE_MAX_MAPS, nullptr},
	{"start", kStart, 1, 0, nullptr},
	{"end", kEnd, 1, 0, nullptr},
	{"detail", kDetail, 0, 1, nullptr, "detail must be 0 or 1, got "},
	{"owners", kOwners, 1, 0, &kOwnersWords},
	{"start_pfn", kStartPfn, 1, 0, nullptr},
	{"end_pfn", kEndPfn, 1, 0, nullptr},
	{"referenced", kReferenced, 0, 1, nullptr, "referenced must be 0 or 1, got "},
	{"family", kFamily, 0, 1, nullptr, "family must be 0 or 1, got "},
	{"method", kMethod, 1, 0, &kMethodWords},
	{"young", kYoung, 0, 1, nullptr, "young must be 0 or 1, got "},
	{"sets", kSets, 0, 1, nullptr, "sets must be 0 or 1, got "},
};
static_assert(sizeof(kKeys) / sizeof(kKeys[0]) == kNrKeys, "one spec per key, in enum order");

constexpr unsigned bit(Key k)
{
	return 1u << k;
}

class Parser {
public:
	Parser(rs_command &cmd, char *err, usize errcap) : cmd_(cmd), err_(err, errcap) {}

	int run(StrView line)
	{
		if (line.size() > 0 && line[line.size() - 1] == '\n')
			line = StrView(line.data(), line.size() - 1);
		if (line.size() > RMAPSCOPE_CMD_MAX)
			return fail("command longer than ", RMAPSCOPE_CMD_MAX, " bytes");
		for (usize i = 0; i < line.size(); ++i) {
			char c = line[i];
			if (c == '\0')
				return fail("NUL byte in command");
			if (c == '\n')
				return fail("one command per write (newline inside the command)");
			if (c != ' ' && (c < 0x21 || c > 0x7e))
				return fail("non-printable byte in command");
		}

		usize pos = 0;
		StrView verb = next(line, pos);
		if (verb.empty())
			return fail("empty command");
		for (const VerbSpec &v : kVerbs)
			if (equals(verb, v.name))
				cmd_.verb = v.verb;
		if (!cmd_.verb)
			return fail_tok("unknown command ", verb);

		for (StrView tok = next(line, pos); !tok.empty(); tok = next(line, pos)) {
			int r = key_value(tok);
			if (r)
				return r;
		}
		return finish();
	}

private:
	static StrView next(StrView line, usize &pos)
	{
		while (pos < line.size() && line[pos] == ' ')
			++pos;
		usize start = pos;
		while (pos < line.size() && line[pos] != ' ')
			++pos;
		return StrView(line.data() + start, pos - start);
	}

	int key_value(StrView tok)
	{
		usize eq = 0;
		while (eq < tok.size() && tok[eq] != '=')
			++eq;
		if (eq == tok.size())
			return fail_tok("expected key=value, got ", tok);
		StrView key(tok.data(), eq);
		StrView val(tok.data() + eq + 1, tok.size() - eq - 1);
		if (key.empty())
			return fail_tok("empty key in ", tok);
		if (val.empty())
			return fail_tok("empty value for key ", key);

		const KeySpec *spec = nullptr;
		for (const KeySpec &k : kKeys)
			if (equals(key, k.name))
				spec = &k;
		if (!spec)
			return fail_tok("unknown key ", key);
		if (seen_ & bit(spec->key))
			return fail_tok("duplicate key ", key);
		seen_ |= bit(spec->key);

		if (spec->words) {
			if (!equals(val, spec->words->zero) && !equals(val, spec->words->one))
				return fail_tok(spec->words->bad, val);
			store(spec->key, equals(val, spec->words->one) ? 1 : 0);
			return 0;
		}
		u64 v;
		if (!parse_u64(val, v))
			return fail_kv("value of ", key, " is not a decimal or 0x-hex number: ", val);
		if (spec->min <= spec->max && (v < spec->min || v > spec->max)) {
			if (spec->bad)
				return fail_tok(spec->bad, val);
			err_.str(key).str(" out of range (").dec(spec->min).str("..").dec(spec->max).str("): ");
			quote(err_, val);
			return -RS_EINVAL;
		}
		store(spec->key, v);
		return 0;
	}

	void store(Key key, u64 v)
	{
		switch (key) {
		case kPid:
			cmd_.pid = static_cast<int>(v);
			break;
		case kAddr:
			cmd_.addr = static_cast<unsigned long>(v);
			break;
		case kPfn:
			cmd_.pfn = static_cast<unsigned long>(v);
			break;
		case kMax:
			cmd_.max = static_cast<unsigned int>(v);
			break;
		case kStart:
			cmd_.start = static_cast<unsigned long>(v);
			break;
		case kEnd:
			cmd_.end = static_cast<unsigned long>(v);
			break;
		case kDetail:
			cmd_.detail = static_cast<int>(v);
			break;
		case kFormat:
			cmd_.format = v ? RS_FORMAT_JSON : RS_FORMAT_TEXT;
			break;
		case kOwners:
			cmd_.all_owners = static_cast<int>(v);
			break;
		case kStartPfn:
			cmd_.start_pfn = static_cast<unsigned long>(v);
			break;
		case kEndPfn:
			cmd_.end_pfn = static_cast<unsigned long>(v);
			break;
		case kReferenced:
			cmd_.referenced = static_cast<int>(v);
			break;
		case kFamily:
			cmd_.family = static_cast<int>(v);
			break;
		case kMethod:
			cmd_.method = v ? RS_METHOD_WALK : RS_METHOD_BULK;
			break;
		case kYoung:
			cmd_.no_young = v ? 0 : 1;
			break;
		case kSets:
			cmd_.sets = static_cast<int>(v);
			break;
		default:
			break;
		}
	}

	int finish()
	{
		constexpr unsigned pid = bit(kPid), addr = bit(kAddr), pfn = bit(kPfn), max = bit(kMax);
		constexpr unsigned start = bit(kStart), end = bit(kEnd), detail = bit(kDetail);
		constexpr unsigned range = start | end | detail;
		constexpr unsigned phys_keys = bit(kStartPfn) | bit(kEndPfn) | bit(kReferenced) | bit(kYoung) | bit(kSets);
		if (cmd_.verb == RS_VERB_PHYS)
			return finish_phys(seen_ & ~(phys_keys | bit(kFormat) | bit(kOwners) | bit(kMethod)));
		if ((seen_ & bit(kMethod)) && cmd_.verb != RS_VERB_SHARE)
			return fail("method= belongs to share and phys only");
		if (seen_ & phys_keys)
			return fail("start_pfn=, end_pfn=, referenced=, young= and sets= belong to phys only");
		if ((seen_ & bit(kFamily)) && cmd_.verb != RS_VERB_TREE)
			return fail("family= belongs to tree only");
		if (cmd_.verb == RS_VERB_SHARE)
			return finish_share(seen_ & (addr | pfn | max | detail), (seen_ & (start | end)));
		if (seen_ & range) {
			if (cmd_.verb != RS_VERB_REFERENCED)
				return fail("start= and end= belong to referenced and share, detail= to referenced only");
			return finish_range(seen_ & (pid | addr | pfn | max | bit(kOwners)), (seen_ & (start | end)) == (start | end));
		}
		if ((seen_ & pfn) && (seen_ & (pid | addr)))
			return fail("give pfn= or pid= with addr=, not both");
		if (seen_ & pfn) {
			cmd_.by_pfn = 1;
			return 0;
		}
		if ((seen_ & (pid | addr)) == (pid | addr))
			return 0;
		if (seen_ & pid)
			return fail("pid= needs addr=");
		if (seen_ & addr)
			return fail("addr= needs pid=");
		return fail("no target: give pid= and addr=, or pfn=");
	}

	// phys [start_pfn= end_pfn=] [referenced=] [young=] [sets=] [format=] [owners=]: whose is this memory.
	int finish_phys(unsigned others)
	{
		if (others)
			return fail("phys takes start_pfn=, end_pfn=, referenced=, young=, sets=, method=, format= and owners= only");
		// referenced=1 counts a page whose entry the scan saw young: it needs the entries read.
		if (cmd_.no_young && cmd_.referenced)
			return fail("young=0 and referenced=1 do not go together: referenced= needs the young entries");
		unsigned ends = seen_ & (bit(kStartPfn) | bit(kEndPfn));
		if (ends == bit(kStartPfn))
			return fail("start_pfn= needs end_pfn=");
		if (ends && cmd_.start_pfn >= cmd_.end_pfn)
			return fail("start_pfn= must be below end_pfn=");
		return 0;
	}

	// share pid= [start= end=] [format=] [owners=]: a process's pages and who shares them.
	int finish_share(unsigned others, unsigned ends)
	{
		if (others)
			return fail("share takes pid=, start=, end=, method=, format= and owners= only");
		if (!(seen_ & bit(kPid)))
			return fail("share needs pid=");
		if (ends && ends != (bit(kStart) | bit(kEnd)))
			return fail("give both start= and end=, or neither (the whole address space)");
		if (ends && cmd_.start >= cmd_.end)
			return fail("start= must be below end=");
		return 0;
	}

	// referenced pid= start= end= [detail=]: a range scan of one process.
	int finish_range(unsigned others, bool both_ends)
	{
		if (others != bit(kPid))
			return fail("a range scan takes pid=, start=, end= and detail= only");
		if (!both_ends)
			return fail("a range scan needs both start= and end=");
		if (cmd_.format == RS_FORMAT_JSON)
			return fail("format=json is not available for range scans");
		if (cmd_.start >= cmd_.end)
			return fail("start= must be below end=");
		if (cmd_.end - cmd_.start > RMAPSCOPE_RANGE_MAX_BYTES)
			return fail("range longer than ", RMAPSCOPE_RANGE_MAX_BYTES, " bytes");
		cmd_.range = 1;
		return 0;
	}

	int fail(StrView msg)
	{
		err_.str(msg);
		return -RS_EINVAL;
	}
	int fail(StrView a, u64 n, StrView b)
	{
		err_.str(a).dec(n).str(b);
		return -RS_EINVAL;
	}
	int fail_tok(StrView msg, StrView tok)
	{
		err_.str(msg);
		quote(err_, tok);
		return -RS_EINVAL;
	}
	int fail_kv(StrView a, StrView key, StrView b, StrView val)
	{
		err_.str(a);
		quote(err_, key);
		err_.str(b);
		quote(err_, val);
		return -RS_EINVAL;
	}
	rs_command &cmd_;
	TextWriter err_;
	unsigned seen_ = 0;
};

} // namespace

extern "C" int rs_core_parse_command(const char *line, rs::usize len, rs_command *cmd, char *err,
				     rs::usize errcap)
{
	*cmd = rs_command{};
	cmd->format = RS_FORMAT_TEXT;
	cmd->max = RMAPSCOPE_DEFAULT_MAX_MAPS;
	return Parser(*cmd, err, errcap).run(StrView(line, len));
}
