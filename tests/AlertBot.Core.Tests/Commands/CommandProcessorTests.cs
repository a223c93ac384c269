using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

public sealed class CommandProcessorTests
{
    private static readonly ChannelRef Group = new(Platforms.Telegram, "-1001");
    private static readonly ChannelRef OtherGroup = new(Platforms.Telegram, "-2002");
    private static readonly ChannelRef Private = new(Platforms.Telegram, "42");

    private static readonly CommandContext Admin = new(Group, "Newsroom", "1", UserIsAdmin: true, IsPrivate: false);
    private static readonly CommandContext Member = new(Group, "Newsroom", "2", UserIsAdmin: false, IsPrivate: false);
    private static readonly CommandContext OtherAdmin = new(OtherGroup, "Other", "3", UserIsAdmin: true, IsPrivate: false);
    private static readonly CommandContext Owner = new(Private, null, "42", UserIsAdmin: false, IsPrivate: true);

    internal static readonly WatchlistPresets Presets = new([new WatchlistPreset("default", ["Qaani", "Houthis", "Red Sea"])]);

    internal static readonly ActorDictionary Actors = new(
    [
        new Actor("Qaani", ["Qaani", "Ghaani", "Qa'ani"]),
        new Actor("Houthis", ["Houthis", "Huthi", "Ansar Allah"]),
    ]);

    private const string ConfiguredUrl = "https://news.example/world.rss";
    private const string SecondConfiguredUrl = "https://wire.example/feed";

    private readonly SqliteAlertStore _store = TestStores.InMemory();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _logger = new();

    private CommandProcessor CreateSut(CommandOptions? options = null, DelegatingAlertStore? faults = null) => CommandTestServices.CreateProcessor(
        _store,
        Actors,
        Presets,
        options ?? new CommandOptions(),
        new PollingOptions
        {
            DefaultInterval = TimeSpan.FromMinutes(5),
            Feeds =
            [
                new ConfiguredFeed { Url = ConfiguredUrl, Name = "World", Interval = TimeSpan.FromMinutes(2), Backfill = 3 },
                new ConfiguredFeed { Url = SecondConfiguredUrl },
            ],
        },
        _time,
        _logger,
        faults: faults);

    private async Task<CommandReply> Run(string text, CommandContext context, CommandProcessor? sut = null) =>
        await (sut ?? CreateSut()).ExecuteAsync(text, context, CancellationToken.None);

    private async Task<Channel> ChannelOf(ChannelRef channel) =>
        await _store.GetChannelAsync(channel, CancellationToken.None) ?? throw new InvalidOperationException("no channel");

    private async Task<string[]> TermsOf(ChannelRef channel) =>
        (await _store.ListWatchTermsAsync((await ChannelOf(channel)).Id, CancellationToken.None)).Select(t => t.Text).ToArray();

    private async Task<string[]> FeedUrlsOf(ChannelRef channel) =>
        (await _store.ListChannelFeedsAsync((await ChannelOf(channel)).Id, CancellationToken.None)).Select(f => f.Url).ToArray();

    [Fact]
    public async Task An_admin_check_the_platform_could_not_answer_is_reported_as_failed_not_as_not_an_admin()
    {
        var unsure = Member with { AdminCheck = _ => throw new AdminCheckFailedException("getChatMember timed out") };

        var reply = await Run("/subscribe", unsure);

        Assert.True(reply.IsError);
        Assert.Contains("Could not check", reply.Text, StringComparison.Ordinal);
        Assert.Contains("try again", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Only an admin", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.GetChannelAsync(Group, CancellationToken.None));
    }

    [Fact]
    public async Task A_regex_the_engine_refuses_gets_one_clean_sentence()
    {
        var reply = await Run("/watch add /(a/", Owner);

        Assert.True(reply.IsError);
        Assert.Contains("invalid regex at column 1", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("..", reply.Text, StringComparison.Ordinal);
    }

    // ---- subscribe / start / unsubscribe ---------------------------------------------------------------------

    [Fact]
    public async Task Subscribe_by_an_admin_creates_the_channel_with_default_feeds_and_the_default_preset()
    {
        // One default feed is already known (polled before): it is reused, not re-created or changed.
        var known = await _store.UpsertFeedAsync(new FeedDefinition(ConfiguredUrl, "Known", TimeSpan.FromMinutes(9)), _time.GetUtcNow(), default);

        var reply = await Run("/subscribe", Admin);

        Assert.False(reply.IsError, reply.Text);
        var channel = await ChannelOf(Group);
        Assert.True(channel.Active);
        Assert.False(channel.Paused);
        Assert.Equal("Newsroom", channel.Title);
        Assert.Equal([ConfiguredUrl, SecondConfiguredUrl], await FeedUrlsOf(Group));
        Assert.Equal(known with { }, await _store.FindFeedByUrlAsync(ConfiguredUrl, default));
        var second = await _store.FindFeedByUrlAsync(SecondConfiguredUrl, default);
        Assert.Null(second!.Interval); // follows AlertBot:Polling:DefaultInterval, whatever it is later
        Assert.Equal(["Qaani", "Houthis", "Red Sea"], await TermsOf(Group));
        Assert.Contains("Qaani, Houthis, Red Sea", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_by_a_non_admin_in_a_group_is_refused_and_creates_nothing()
    {
        var reply = await Run("/subscribe", Member);

        Assert.True(reply.IsError);
        Assert.Contains("Only an admin", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.GetChannelAsync(Group, default));
        Assert.Empty(await _store.ListFeedsAsync(default));
    }

    [Fact]
    public async Task A_private_chat_belongs_to_its_user()
    {
        var reply = await Run("/subscribe", Owner);

        Assert.False(reply.IsError, reply.Text);
        Assert.True((await ChannelOf(Private)).Active);
        Assert.False((await Run("/watch add Hezbollah", Owner)).IsError);
    }

    [Fact]
    public async Task Subscribe_with_an_unknown_watchlist_names_the_available_ones_and_changes_nothing()
    {
        var reply = await Run("/subscribe nosuch", Admin);

        Assert.True(reply.IsError);
        Assert.Contains("\"nosuch\"", reply.Text, StringComparison.Ordinal);
        Assert.Contains("default", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.GetChannelAsync(Group, default));
    }

    [Fact]
    public async Task Subscribe_keeps_an_existing_watchlist_instead_of_adding_the_preset()
    {
        await Run("/subscribe", Admin);
        await Run("/watch remove Qaani", Admin);
        await Run("/watch remove Houthis", Admin);

        var reply = await Run("/subscribe default", Admin);

        Assert.Equal(["Red Sea"], await TermsOf(Group));
        Assert.Contains("kept", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_deactivates_and_keeps_the_watchlist_and_start_reactivates_and_unpauses()
    {
        await Run("/subscribe", Admin);
        await Run("/pause", Admin);

        var off = await Run("/unsubscribe", Admin);
        Assert.False(off.IsError, off.Text);
        Assert.False((await ChannelOf(Group)).Active);
        Assert.Equal(3, (await TermsOf(Group)).Length);

        var refused = await Run("/start", Member);
        Assert.True(refused.IsError);
        Assert.False((await ChannelOf(Group)).Active);

        var back = await Run("/start", Admin);
        Assert.Contains("Welcome back", back.Text, StringComparison.Ordinal);
        var channel = await ChannelOf(Group);
        Assert.True(channel.Active);
        Assert.False(channel.Paused);
        Assert.Equal(3, (await TermsOf(Group)).Length);
    }

    [Fact]
    public async Task Start_in_a_new_chat_greets_and_points_at_subscribe_without_creating_anything()
    {
        var reply = await Run("/start", Member);

        Assert.False(reply.IsError);
        Assert.Contains("/subscribe", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.GetChannelAsync(Group, default));
    }

    [Fact]
    public async Task Unsubscribe_by_a_non_admin_is_refused()
    {
        await Run("/subscribe", Admin);

        Assert.True((await Run("/unsubscribe", Member)).IsError);
        Assert.True((await ChannelOf(Group)).Active);
    }

    // ---- watchlist ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Watch_add_remove_and_list_with_phrases_aliases_and_duplicates()
    {
        await Run("/subscribe", Owner);
        await Run("/watch remove \u201CRed Sea\u201D", Owner);

        Assert.Contains("Watching \"Strait of Hormuz\"", (await Run("/watch add \"Strait of Hormuz\"", Owner)).Text, StringComparison.Ordinal);
        Assert.Contains("Watching \"Gulf of Aden\"", (await Run("/watch add Gulf  of Aden", Owner)).Text, StringComparison.Ordinal);
        Assert.Contains("already", (await Run("/watch add strait of hormuz", Owner)).Text, StringComparison.Ordinal);
        var covered = await Run("/watch add Qa’ani", Owner);
        Assert.Contains("already covered: \"Qaani\"", covered.Text, StringComparison.Ordinal);
        await Run("/watch remove Qaani", Owner);
        var aliasReply = await Run("/watch add Ghaani", Owner);
        Assert.Contains("It names Qaani, so it also matches: Qaani, Ghaani, Qa'ani", aliasReply.Text, StringComparison.Ordinal);

        Assert.False((await Run("/watch remove GULF OF ADEN", Owner)).IsError);
        var missing = await Run("/watch remove Hormuz", Owner);
        Assert.True(missing.IsError);
        Assert.Contains("not on the watchlist", missing.Text, StringComparison.Ordinal);

        var list = await Run("/watch@AlertNewsBot list", Owner);
        Assert.Equal(["Houthis", "Strait of Hormuz", "Ghaani"], await TermsOf(Private));
        Assert.Contains("• Houthis — covers: Houthis, Huthi, Ansar Allah", list.Text, StringComparison.Ordinal);
        Assert.Contains("• Strait of Hormuz\n", list.Text + "\n", StringComparison.Ordinal);
        Assert.Contains("• Ghaani — names Qaani, covers: Qaani, Ghaani, Qa'ani", list.Text, StringComparison.Ordinal);

        // An exact term stands for its own word: no "also matches", no "covers", and no "already covered" either way.
        var exact = await Run("/watch add =Huthi", Owner);
        Assert.Equal("Watching \"=Huthi\".", exact.Text);
        var exactList = await Run("/watch list", Owner);
        Assert.Contains("• =Huthi\n", exactList.Text + "\n", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_is_stored_as_typed_and_test_evaluates_it()
    {
        await Run("/subscribe", Owner);

        var added = await Run("/watch add Huthi NEAR/5 \"Red Sea\" -Qaani", Owner);
        Assert.False(added.IsError, added.Text);
        Assert.Contains("Huthi NEAR/5 \"Red Sea\" -Qaani", await TermsOf(Private));

        await Run("/watch remove Houthis", Owner);
        await Run("/watch remove Red Sea", Owner);
        await Run("/watch remove Qaani", Owner);
        var near = await Run("/test Ansar Allah struck in the Red Sea overnight.", Owner);
        Assert.DoesNotContain("Nothing would alert", near.Text, StringComparison.Ordinal);
        Assert.Contains("Ansar Allah", near.Text, StringComparison.Ordinal);
        var line = Assert.Single(near.Text.Split('\n'), l => l.Contains("NEAR/5", StringComparison.Ordinal));
        Assert.Contains("\"Ansar Allah\"", line, StringComparison.Ordinal);
        Assert.Contains("\"Red Sea\"", line, StringComparison.Ordinal);
        Assert.Contains("Nothing would alert", (await Run("/test Houthis, far from it all and from the sea lanes they threaten, said the Red Sea was calm.", Owner)).Text, StringComparison.Ordinal);
        Assert.Contains("Nothing would alert", (await Run("/test Qaani said Ansar Allah fired in the Red Sea.", Owner)).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/watch add", "Say which term")]
    [InlineData("/watch add \"\"", "empty")]
    [InlineData("/watch add \"   \"", "empty")]
    [InlineData("/watch add Houthis AND (Qaani OR Ghaani", "expected ')' at column")]
    [InlineData("/watch add @nobody", "not a valid query: unknown actor")]
    [InlineData("/watch", "Say what to do")]
    [InlineData("/watch frobnicate x", "Unknown /watch action")]
    [InlineData("/watch list extra", "takes no arguments")]
    public async Task Malformed_watch_commands_get_usage_help(string text, string expected)
    {
        await Run("/subscribe", Admin);

        var reply = await Run(text, Admin);

        Assert.True(reply.IsError);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
        Assert.Contains("Usage", reply.Text, StringComparison.Ordinal);
        Assert.Equal(3, (await TermsOf(Group)).Length);
    }

    [Fact]
    public async Task Terms_over_the_length_limit_are_refused_with_the_numbers()
    {
        await Run("/subscribe", Admin);

        var reply = await Run("/watch add " + new string('x', 201), Admin);

        Assert.True(reply.IsError);
        Assert.Contains("201 characters", reply.Text, StringComparison.Ordinal);
        Assert.Contains("limit is 200", reply.Text, StringComparison.Ordinal);
        Assert.False((await Run("/watch add " + new string('x', 200), Admin)).IsError);
    }

    [Fact]
    public async Task The_configured_term_cap_is_enforced()
    {
        var sut = CreateSut(new CommandOptions { MaxTermsPerChannel = 4 });
        await Run("/subscribe", Admin, sut);
        Assert.False((await Run("/watch add one", Admin, sut)).IsError);

        var reply = await Run("/watch add two", Admin, sut);

        Assert.True(reply.IsError);
        Assert.Contains("full (4 of 4", reply.Text, StringComparison.Ordinal);
        Assert.Equal(4, (await TermsOf(Group)).Length);
    }

    [Fact]
    public async Task A_non_admin_may_list_but_not_change_the_watchlist()
    {
        await Run("/subscribe", Admin);

        Assert.True((await Run("/watch add Hezbollah", Member)).IsError);
        Assert.True((await Run("/watch remove Qaani", Member)).IsError);
        Assert.Equal(["Qaani", "Houthis", "Red Sea"], await TermsOf(Group));
        Assert.False((await Run("/watch list", Member)).IsError);
    }

    [Fact]
    public async Task Watch_add_before_subscribing_says_to_subscribe()
    {
        var reply = await Run("/watch add Qaani", Admin);

        Assert.True(reply.IsError);
        Assert.Contains("/subscribe", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.GetChannelAsync(Group, default));
    }

    [Fact]
    public async Task A_chat_only_sees_and_changes_its_own_settings()
    {
        await Run("/subscribe", Admin);
        await Run("/subscribe", OtherAdmin);
        await Run("/watch add Hezbollah", Admin);
        var feedId = (await _store.FindFeedByUrlAsync(ConfiguredUrl, default))!.Id;

        Assert.True((await Run("/watch remove Hezbollah", OtherAdmin)).IsError);
        Assert.DoesNotContain("Hezbollah", (await Run("/watch list", OtherAdmin)).Text, StringComparison.Ordinal);
        await Run($"/feeds remove {feedId}", OtherAdmin);

        Assert.Contains("Hezbollah", await TermsOf(Group));
        Assert.Contains(ConfiguredUrl, await FeedUrlsOf(Group));
        Assert.DoesNotContain(ConfiguredUrl, await FeedUrlsOf(OtherGroup));
    }

    // ---- feeds -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("ftp://example.org/feed.xml")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/feed.xml")]
    [InlineData("example.org/feed")]
    [InlineData("https://")]
    [InlineData("not a url")]
    public async Task Feeds_add_refuses_anything_but_absolute_http_urls(string url)
    {
        await Run("/subscribe", Admin);
        var before = (await _store.ListFeedsAsync(default)).Count;

        var reply = await Run($"/feeds add \"{url}\"", Admin);

        Assert.True(reply.IsError);
        Assert.Contains("http", reply.Text, StringComparison.Ordinal);
        Assert.Equal(before, (await _store.ListFeedsAsync(default)).Count);
    }

    [Fact]
    public async Task Feeds_add_upserts_with_the_default_interval_and_no_backfill_and_explains_the_baseline()
    {
        await Run("/subscribe", Admin);

        var reply = await Run("/feeds add https://Blog.Example/rss?x=1", Admin);

        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("baseline", reply.Text, StringComparison.Ordinal);
        var feed = await _store.FindFeedByUrlAsync("https://blog.example/rss?x=1", default);
        Assert.NotNull(feed);
        Assert.Null(feed.Interval); // follows AlertBot:Polling:DefaultInterval, whatever it is later
        Assert.Equal(0, feed.Backfill);
        Assert.Contains(feed.Url, await FeedUrlsOf(Group));
        Assert.Contains("already", (await Run("/feeds add https://blog.example/rss?x=1", Admin)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feeds_add_reuses_a_known_feed_without_changing_it()
    {
        await Run("/subscribe", Admin);
        var configured = (await _store.FindFeedByUrlAsync(ConfiguredUrl, default))!;
        await Run("/subscribe", OtherAdmin);
        await Run($"/feeds remove {configured.Id}", OtherAdmin);

        Assert.False((await Run($"/feeds add {ConfiguredUrl}", OtherAdmin)).IsError);

        Assert.Equal(configured, await _store.FindFeedByUrlAsync(ConfiguredUrl, default));
        Assert.Contains(ConfiguredUrl, await FeedUrlsOf(OtherGroup));
    }

    [Fact]
    public async Task Feeds_add_respects_the_per_channel_limit()
    {
        var sut = CreateSut(new CommandOptions { MaxFeedsPerChannel = 2 });
        await Run("/subscribe", Admin, sut);

        var reply = await Run("/feeds add https://third.example/rss", Admin, sut);

        Assert.True(reply.IsError);
        Assert.Contains("limit", reply.Text, StringComparison.Ordinal);
        Assert.Null(await _store.FindFeedByUrlAsync("https://third.example/rss", default));
    }

    [Fact]
    public async Task Feeds_changes_by_a_non_admin_are_refused()
    {
        await Run("/subscribe", Admin);
        var id = (await _store.FindFeedByUrlAsync(ConfiguredUrl, default))!.Id;

        Assert.True((await Run("/feeds add https://x.example/rss", Member)).IsError);
        Assert.True((await Run($"/feeds remove {id}", Member)).IsError);
        Assert.Equal([ConfiguredUrl, SecondConfiguredUrl], await FeedUrlsOf(Group));
    }

    [Theory]
    [InlineData("/feeds remove abc", "not a feed id")]
    [InlineData("/feeds remove -3", "not a feed id")]
    [InlineData("/feeds remove 999", "does not read a feed #999")]
    [InlineData("/feeds remove", "exactly one feed id")]
    [InlineData("/feeds add", "exactly one feed URL")]
    [InlineData("/feeds", "Say what to do")]
    [InlineData("/feeds burn", "Unknown /feeds action")]
    public async Task Malformed_feeds_commands_get_clear_replies(string text, string expected)
    {
        await Run("/subscribe", Admin);

        var reply = await Run(text, Admin);

        Assert.True(reply.IsError);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feeds_remove_detaches_by_id_with_or_without_hash()
    {
        await Run("/subscribe", Admin);
        var id = (await _store.FindFeedByUrlAsync(SecondConfiguredUrl, default))!.Id;

        Assert.False((await Run($"/feeds remove #{id}", Admin)).IsError);

        Assert.Equal([ConfiguredUrl], await FeedUrlsOf(Group));
        Assert.NotNull(await _store.GetFeedAsync(id, default));
    }

    [Fact]
    public async Task Feeds_list_shows_ids_urls_and_health()
    {
        await Run("/subscribe", Admin);
        var ok = (await _store.FindFeedByUrlAsync(ConfiguredUrl, default))!;
        var failing = (await _store.FindFeedByUrlAsync(SecondConfiguredUrl, default))!;
        await _store.RecordFeedNotModifiedAsync(ok.Id, _time.GetUtcNow(), default);
        await _store.RecordFeedNotModifiedAsync(failing.Id, _time.GetUtcNow(), default);
        await _store.RecordFeedFailureAsync(failing.Id, "HTTP 503", _time.GetUtcNow().AddMinutes(5), default);
        await _store.RecordFeedFailureAsync(failing.Id, "HTTP 503", _time.GetUtcNow().AddMinutes(10), default);
        await Run("/feeds add https://new.example/rss", Admin);
        var paused = (await _store.FindFeedByUrlAsync("https://new.example/rss", default))!;
        for (var i = 0; i < 10; i++)
        {
            await _store.RecordFeedFailureAsync(paused.Id, "DNS: no such host", _time.GetUtcNow(), default);
        }

        var reply = await Run("/feeds list", Member);

        Assert.Contains($"#{ok.Id} World — {ConfiguredUrl}\n   ok (last poll 2026-11-27 08:00 UTC)", reply.Text, StringComparison.Ordinal);
        Assert.Contains("failing since the last success at 2026-11-27 08:00 UTC (2 failed polls in a row); last error: HTTP 503", reply.Text, StringComparison.Ordinal);
        Assert.Contains("https://new.example/rss\n   failing since it was added at 2026-11-27 08:00 UTC (10 failed polls in a row; paused, tried again every 1 day); last error: DNS: no such host", reply.Text, StringComparison.Ordinal);
    }

    // ---- test, status, pause -----------------------------------------------------------------------------------

    [Fact]
    public async Task Test_explains_what_would_alert_using_only_this_chats_terms()
    {
        await Run("/subscribe", Admin);
        await Run("/subscribe", OtherAdmin);
        await Run("/watch add Hezbollah", OtherAdmin);

        var reply = await Run("/test Quds Force chief Ghaani met officials in Baghdad. Hezbollah was not there.", Member);

        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("Qaani", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Ghaani", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Quds Force chief Ghaani met officials in Baghdad.", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hezbollah", reply.Text.Replace("Hezbollah was not there", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_with_no_match_or_no_terms_or_too_much_text_says_so()
    {
        Assert.Contains("watchlist is empty", (await Run("/test anything", Member)).Text, StringComparison.Ordinal);
        await Run("/subscribe", Admin);

        Assert.Contains("Nothing would alert", (await Run("/test The weather in Oslo is fine.", Member)).Text, StringComparison.Ordinal);
        Assert.Contains("Usage", (await Run("/test", Member)).Text, StringComparison.Ordinal);
        var tooLong = await Run("/test " + new string('a', 4001), Member);
        Assert.True(tooLong.IsError);
        Assert.Contains("limit is 4000", tooLong.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_reports_state_terms_feeds_last_alert_and_queue()
    {
        Assert.Contains("not subscribed", (await Run("/status", Member)).Text, StringComparison.Ordinal);
        await Run("/subscribe", Admin);
        var channel = await ChannelOf(Group);
        var message = new AlertMessage { Title = "t", Source = "s" };
        var delivered = await _store.EnqueueOneAsync(channel.Id, "url:a", message, _time.GetUtcNow());
        await _store.EnqueueOneAsync(channel.Id, "url:b", message, _time.GetUtcNow());
        await _store.MarkDeliveredAsync(delivered.Id, _time.GetUtcNow().AddMinutes(1), "7", default);

        var status = await Run("/status", Member);

        Assert.Contains("Status: subscribed", status.Text, StringComparison.Ordinal);
        Assert.Contains("Watch terms: 3 of 100", status.Text, StringComparison.Ordinal);
        Assert.Contains("Last alert: 2026-11-27 08:01 UTC", status.Text, StringComparison.Ordinal);
        Assert.Contains("Alerts queued: 1", status.Text, StringComparison.Ordinal);
        Assert.Contains("World: never polled", status.Text, StringComparison.Ordinal);

        await Run("/pause", Admin);
        Assert.Contains("Status: paused", (await Run("/status", Member)).Text, StringComparison.Ordinal);
        await Run("/unsubscribe", Admin);
        Assert.Contains("Status: inactive", (await Run("/status", Member)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_and_resume_need_an_admin_and_a_subscription()
    {
        Assert.True((await Run("/pause", Admin)).IsError);
        await Run("/subscribe", Admin);

        Assert.True((await Run("/pause", Member)).IsError);
        Assert.False((await ChannelOf(Group)).Paused);
        Assert.False((await Run("/pause", Admin)).IsError);
        Assert.True((await ChannelOf(Group)).Paused);
        Assert.Contains("already", (await Run("/pause", Admin)).Text, StringComparison.Ordinal);
        Assert.True((await Run("/resume", Member)).IsError);
        Assert.False((await Run("/resume", Admin)).IsError);
        Assert.False((await ChannelOf(Group)).Paused);
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/frobnicate", "Unknown command /frobnicate")]
    [InlineData("hello", "start with '/'")]
    [InlineData("/wätch add x", "not a command name")]
    public async Task Unknown_or_malformed_commands_get_the_problem_and_the_command_list(string text, string expected)
    {
        var reply = await Run(text, Member);

        Assert.True(reply.IsError);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
        Assert.Contains("/watch add", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_store_gives_a_generic_reply_that_leaks_nothing_and_is_logged()
    {
        var sut = CreateSut(faults: new ThrowingStore(_store));

        var reply = await Run("/status", Admin, sut);

        Assert.True(reply.IsError);
        Assert.Contains("internal error", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Data Source", reply.Text, StringComparison.Ordinal);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public async Task A_known_command_typed_wrongly_gets_its_own_usage()
    {
        var reply = await Run("/watch@AlertNewsBot add \"Red Sea", Member);

        Assert.True(reply.IsError);
        Assert.Contains("not closed", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Usage:\n/watch add <term | \"phrase\">\n/watch remove <term>\n/watch list", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/feeds", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var reply = await Run("/help@AlertNewsBot", Member);

        foreach (var command in CommandCatalog.All)
        {
            Assert.Contains(command.Usage, reply.Text, StringComparison.Ordinal);
        }
    }

    /// <summary>A store whose reads fail the way a broken database does, with a message that must not reach users.</summary>
    private sealed class ThrowingStore(DapperAlertStore inner) : DelegatingAlertStore(inner)
    {
        public override Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Data Source=/secret/alertbot.db is locked");
    }
}
