using System.Globalization;
using System.Text;
using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Storage;
using Xunit;
using Xunit.Sdk;

namespace AlertBot.Testing.Commands;

/// <summary>
/// Random and hostile command lines for the Core parser and processor: random unicode, control characters, direction
/// overrides, zero-width characters, huge and unbalanced quotes, SQL/HTML/Markdown injection, very long lines,
/// <c>/cmd@bot</c> variants and every command with random arguments, sent from admins, members and private chats on
/// both platforms. Seeded: a failure names the seed and the input's number, and the same seed replays it.
/// </summary>
public sealed class CommandFuzz
{
    /// <summary>Who sends the fuzz: the Telegram group and the Discord channel share digits on purpose.</summary>
    public static IReadOnlyList<CommandContext> Senders { get; } =
    [
        new(new ChannelRef(Platforms.Telegram, "-100123"), "Group", "1", UserIsAdmin: true, IsPrivate: false),
        new(new ChannelRef(Platforms.Telegram, "-100123"), "Group", "2", UserIsAdmin: false, IsPrivate: false),
        new(new ChannelRef(Platforms.Telegram, "42"), null, "42", UserIsAdmin: false, IsPrivate: true),
        new(new ChannelRef(Platforms.Discord, "-100123"), "alerts", "1", UserIsAdmin: true, IsPrivate: false),
        new(new ChannelRef(Platforms.Discord, "-100123"), "alerts", "3", UserIsAdmin: false, IsPrivate: false),
        new(new ChannelRef(Platforms.Discord, "700"), null, "9", UserIsAdmin: true, IsPrivate: true),
    ];

    private static readonly string[] Payloads =
    [
        "'; DROP TABLE channels; --", "\" OR 1=1 --", "Robert'); DROP TABLE watch_terms;--", "1; DELETE FROM feeds",
        "<script>alert(1)</script>", "<b>bold</b>", "</code><i>", "&amp;&lt;&gt;", "<a href=\"http://evil\">x</a>",
        "*bold* _it_ `code` ```block```", "[link](http://evil.example)", "||spoiler||", "~~strike~~", "> quote",
        "@everyone", "@here", "<@123456>", "<#1>", "${jndi:ldap://x/a}", "%s%n%x", "{0}{1}", "\\", "\\\"", "../../etc/passwd",
        "\u202Eevil\u202C", "\u2066iso\u2069", "a\u200Bb", "\u200C\u200D", "\uFEFF", "\uD800", "\uDC00x", "\u0000", "\u0007", "\r\n",
        "\u001B[31m", "😀🇮🇷👨‍👩‍👧", "قاآنی", "انصار\u200Cالله", "红海", "e\u0301\u0301\u0301", "Z̸̢̛͓a̶l̷g̵o̴", "\u00A0", "\u3000",
        "Qa'ani", "Qa’ani", "Ghaani", "Houthis", "Red Sea", "Ansar Allah",
    ];

    private static readonly string[] Quotes = ["\"", "\u201C", "\u201D", "\u201E", "\u00AB", "\u00BB", "'", "`"];

    private static readonly string[] Words =
    [
        "add", "remove", "rm", "delete", "list", "ls", "Qaani", "Houthis", "Hezbollah", "Red", "Sea", "#1", "1", "0", "-1",
        "99999999999999999999", "https://news.example/feed", "http://127.0.0.1/", "ftp://x/y", "javascript:alert(1)",
        "https://user:pw@host.example/", "default", "nosuch",
    ];

    private readonly Random _random;

    public CommandFuzz(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>The next hostile command line and who sends it.</summary>
    public (string Text, CommandContext Sender) Next()
    {
        var sender = Senders[_random.Next(Senders.Count)];
        var text = _random.Next(16) switch
        {
            // Well-formed changes with hostile values, so the store fills up to its caps and stays checked.
            12 => "/subscribe" + Maybe(" " + Argument()),
            13 => "/watch add " + Maybe(Quote()) + Argument() + Maybe(" " + Argument()) + Maybe(Quote()),
            14 => _random.Next(3) == 0 ? "/feeds remove " + Maybe("#") + _random.Next(0, 60).ToString(CultureInfo.InvariantCulture) : "/feeds add " + Argument(),
            15 => "/test " + string.Join(' ', Enumerable.Range(0, _random.Next(1, 400)).Select(_ => Argument())),
            0 => Maybe("/") + RandomUnicode(_random.Next(0, 200)),
            1 => "/" + Command() + Maybe(BotSuffix()) + " " + RandomUnicode(_random.Next(0, 80)),
            2 => "/" + Command() + " " + Repeat(_random.Next(2_000, 100_000)),
            3 => $"/{Command()} {Sub()} {Quote()}{Repeat(_random.Next(100, 50_000))}{Quote()}",
            4 => $"/{Command()} {Sub()} {Quote()}{Argument()}{Maybe(Quote())} {Argument()}{Maybe(Quote())}",
            5 => "/" + Command() + BotSuffix() + " " + Arguments(),
            6 => Control() + "/" + Command() + Control() + " " + Arguments(),
            _ => "/" + Command() + Maybe(BotSuffix()) + " " + Arguments(),
        };
        return (text, sender);
    }

    /// <summary>
    /// Sends <paramref name="count"/> inputs through <paramref name="processor"/> and checks every reply and, as it
    /// goes, the store: caps never exceeded, terms clean. A failure message names the seed and the input.
    /// </summary>
    public async Task RunAsync(ICommandProcessor processor, DapperAlertStore store, CommandOptions options, int count)
    {
        // The longest honest reply is a full listing: every term with its aliases, every feed with its health.
        var listingBound = 2_000 + (options.MaxTermsPerChannel * (options.MaxTermLength + 200)) + (options.MaxFeedsPerChannel * ((2 * 150) + 500));
        for (var i = 0; i < count; i++)
        {
            var (text, sender) = Next();
            try
            {
                var parsed = CommandParser.Parse(text);
                Assert.True(parsed.Success ^ parsed.Error is not null);
                Assert.True(parsed.Success || parsed.Error!.Length is > 0 and <= 300, $"parse error of {parsed.Error?.Length} characters");

                var reply = await processor.ExecuteAsync(text, sender, CancellationToken.None);

                Assert.NotNull(reply);
                Assert.False(reply.Silent);
                Assert.False(string.IsNullOrWhiteSpace(reply.Text), "empty reply");
                var lists = parsed.Command is { Name: "watch" or "feeds" or "status" } cmd && cmd.Arguments.Count <= 1;
                var bound = lists ? listingBound : 6_000;
                Assert.True(reply.Text.Length <= bound, $"reply of {reply.Text.Length} characters (bound {bound})");
                if (i % 200 == 199)
                {
                    await CheckStoreAsync(store, options);
                }
            }
            catch (Exception ex)
            {
                throw new XunitException($"Fuzz seed {Seed}, input #{i} from {sender.Channel} user {sender.UserId}: {Describe(text)}\n{ex}");
            }
        }

        await CheckStoreAsync(store, options);
    }

    /// <summary>Every channel within its caps, every term clean and unique, every feed an absolute http(s) URL.</summary>
    public static async Task CheckStoreAsync(DapperAlertStore store, CommandOptions options)
    {
        foreach (var channel in await store.ListChannelsAsync(CancellationToken.None))
        {
            var terms = await store.ListWatchTermsAsync(channel.Id, CancellationToken.None);
            Assert.True(terms.Count <= options.MaxTermsPerChannel, $"{channel.Ref} has {terms.Count} terms");
            foreach (var term in terms)
            {
                Assert.InRange(term.Text.Length, 1, options.MaxTermLength);
                Assert.Equal(term.Text.Trim(), term.Text);
                Assert.DoesNotContain(term.Text, char.IsControl);
                Assert.DoesNotContain(term.Text, c => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'));
                Assert.True(term.Text.Normalize() is not null); // throws on ill-formed UTF-16
            }

            Assert.Equal(terms.Count, terms.Select(t => t.Text).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            var feeds = await store.ListChannelFeedsAsync(channel.Id, CancellationToken.None);
            Assert.True(feeds.Count <= options.MaxFeedsPerChannel, $"{channel.Ref} reads {feeds.Count} feeds");
            foreach (var feed in feeds)
            {
                Assert.True(Uri.TryCreate(feed.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", feed.Url);
                Assert.True(string.IsNullOrEmpty(uri!.UserInfo), feed.Url);
            }
        }
    }

    /// <summary>The input as a reproducible C# literal, shortened in the middle when huge.</summary>
    public static string Describe(string text)
    {
        var shown = text.Length <= 400 ? text : text[..200] + $"<…{text.Length - 400} more…>" + text[^200..];
        var literal = new StringBuilder("\"");
        foreach (var c in shown)
        {
            literal.Append(c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return literal.Append("\" (").Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)").ToString();
    }

    private string Command() => _random.Next(10) switch
    {
        0 => RandomWord(),
        1 => CommandCatalog.All[_random.Next(CommandCatalog.All.Count)].Name.ToUpperInvariant(),
        _ => CommandCatalog.All[_random.Next(CommandCatalog.All.Count)].Name,
    };

    private string Sub() => Words[_random.Next(6)];

    private string BotSuffix() => _random.Next(6) switch
    {
        0 => "@",
        1 => "@bad-name",
        2 => "@" + new string('b', _random.Next(30, 300)),
        3 => "@Other_Bot",
        4 => "@@AlertNewsBot",
        _ => "@AlertNewsBot",
    };

    private string Arguments()
    {
        var parts = new List<string>();
        var n = _random.Next(0, 6);
        for (var i = 0; i < n; i++)
        {
            parts.Add(_random.Next(5) == 0 ? Quote() + Argument() + " " + Argument() + Quote() : Argument());
        }

        return string.Join(_random.Next(4) == 0 ? "\t" : " ", parts);
    }

    private string Argument() => _random.Next(6) switch
    {
        0 => Payloads[_random.Next(Payloads.Length)],
        1 => RandomUnicode(_random.Next(1, 30)),
        2 => "https://host" + _random.Next(50).ToString(CultureInfo.InvariantCulture) + ".example/" + Uri.EscapeDataString(Payloads[_random.Next(Payloads.Length)].Replace("\uD800", "", StringComparison.Ordinal).Replace("\uDC00", "", StringComparison.Ordinal)),
        3 => _random.Next(-5, 80).ToString(CultureInfo.InvariantCulture),
        _ => Words[_random.Next(Words.Length)],
    };

    private string Quote() => Quotes[_random.Next(Quotes.Length)];

    private string Control() => _random.Next(4) switch
    {
        0 => "\u202E",
        1 => "\u200B",
        2 => ((char)_random.Next(0, 32)).ToString(),
        _ => "",
    };

    private string Maybe(string text) => _random.Next(2) == 0 ? text : "";

    private string RandomWord() => new(Enumerable.Range(0, _random.Next(1, 40)).Select(_ => (char)_random.Next('a', 'z' + 1)).ToArray());

    private string Repeat(int length) => _random.Next(3) switch
    {
        0 => new string((char)_random.Next(33, 0xD7FF), length),
        1 => string.Concat(Enumerable.Repeat(Payloads[_random.Next(Payloads.Length)] + " ", (length / 2) + 1))[..length],
        _ => RandomUnicode(length),
    };

    /// <summary>Any UTF-16 code unit, lone surrogates and controls included, weighted towards the tricky ones.</summary>
    private string RandomUnicode(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = _random.Next(8) switch
            {
                0 => (char)_random.Next(0, 32),
                1 => (char)_random.Next(0xD800, 0xE000),
                2 => "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200B\u200C\u200D\u200E\u200F\uFEFF\u00AD"[_random.Next(16)],
                3 => "\"\u201C\u201D\u201E\u00AB\u00BB'/@ \t\n"[_random.Next(12)],
                _ => (char)_random.Next(32, 0xFFFE),
            };
        }

        return new string(chars);
    }
}
