using System.Text.Json.Nodes;
using System.Globalization;
using AlertBot.Core.Channels;
using AlertBot.Storage.Sqlite;
using AlertBot.Telegram.Receiving;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Telegram.Tests;

public sealed class TelegramReceiverTests
{
    private const long Group = -1001111;
    private const long AdminUser = 10;
    private const long MemberUser = 20;

    // Replies obey the same limiter as alerts; fast limits keep these conversations quick (the burst test covers limits).
    private static readonly FakeTelegramLimits Fast = new(TimeSpan.FromMilliseconds(5), 200, TimeSpan.FromSeconds(1), 500, TimeSpan.FromSeconds(1));

    private static Task<FakeTelegramServer> StartFakeAsync() => FakeTelegramServer.StartAsync(limits: Fast);

    private static async Task<SentMessage> ReplyTo(FakeTelegramServer fake, long chat, int count)
    {
        await fake.WaitForMessageAsync(_ => fake.SentTo(chat).Count >= count);
        return fake.SentTo(chat)[count - 1];
    }

    [Fact]
    public async Task A_group_conversation_subscribes_edits_and_lists_and_refuses_a_non_admin()
    {
        await using var fake = await StartFakeAsync();
        using var sqlite = await TempSqliteStore.CreateAsync();
        await using var host = TelegramTestHost.Create(fake, sqlite.Store);
        fake.SetMember(Group, AdminUser, "administrator");
        await host.StartReceiverAsync();

        Assert.Equal(1, fake.CallCount("deleteWebhook"));
        Assert.Contains(fake.Commands, c => c.Command == "watch");
        Assert.Contains(fake.Commands, c => c.Command == "digest");
        Assert.Contains(fake.Commands, c => c.Command == "actors");
        Assert.Equal(14, fake.Commands.Count);

        fake.SendText(Group, AdminUser, "/subscribe@AlertNewsBot");
        var subscribed = await ReplyTo(fake, Group, 1);
        Assert.Contains("Alerts are on", subscribed.PlainText, StringComparison.Ordinal);
        Assert.NotNull(subscribed.ReplyTo);

        fake.SendText(Group, AdminUser, "/watch add \u201CStrait of Hormuz\u201D");
        Assert.Contains("Watching \"Strait of Hormuz\"", (await ReplyTo(fake, Group, 2)).PlainText, StringComparison.Ordinal);
        fake.SendText(Group, AdminUser, "/watch remove Qaani");
        Assert.Contains("Stopped watching \"Qaani\"", (await ReplyTo(fake, Group, 3)).PlainText, StringComparison.Ordinal);
        fake.SendText(Group, MemberUser, "/watch add Hezbollah");
        var refused = await ReplyTo(fake, Group, 4);
        Assert.Contains("Only an admin", refused.PlainText, StringComparison.Ordinal);
        fake.SendText(Group, MemberUser, "/watch@AlertNewsBot list");
        var list = await ReplyTo(fake, Group, 5);
        Assert.Contains("• Houthis — covers: Houthis, Huthi, Ansar Allah", list.PlainText, StringComparison.Ordinal);
        Assert.Contains("• Strait of Hormuz", list.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("Qaani", list.PlainText, StringComparison.Ordinal);
        Assert.DoesNotContain("Hezbollah", list.PlainText, StringComparison.Ordinal);

        // Addressed to another bot in the same group: not ours to answer.
        fake.SendText(Group, AdminUser, "/unsubscribe@SomeOtherBot");
        fake.SendText(Group, MemberUser, "/status");
        Assert.Contains("Status: subscribed", (await ReplyTo(fake, Group, 6)).PlainText, StringComparison.Ordinal);
        await host.SettleAsync();
        Assert.Equal(6, fake.SentTo(Group).Count);

        var channel = await host.ChannelAsync(Group);
        Assert.True(channel!.Active);
        var terms = await host.Store.ListWatchTermsAsync(channel.Id, CancellationToken.None);
        Assert.Equal(["Houthis", "Red Sea", "Strait of Hormuz"], terms.Select(t => t.Text));
    }

    [Fact]
    public async Task Channel_posts_count_as_admin_and_private_chats_belong_to_their_user()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        await host.StartReceiverAsync();

        fake.PostInChannel(-1002222, "/subscribe");
        fake.SendText(77, 77, "/subscribe");
        await ReplyTo(fake, -1002222, 1);
        await ReplyTo(fake, 77, 1);

        Assert.True((await host.ChannelAsync(-1002222))!.Active);
        Assert.True((await host.ChannelAsync(77))!.Active);
        Assert.Equal(0, fake.CallCount("getChatMember"));
    }

    [Fact]
    public async Task Being_kicked_deactivates_the_chat_and_a_group_migration_moves_it()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(-3, AdminUser, "creator");
        fake.SetMember(-4, AdminUser, "creator");
        await host.StartReceiverAsync();
        fake.SendText(-3, AdminUser, "/subscribe");
        fake.SendText(-4, AdminUser, "/subscribe");
        await ReplyTo(fake, -3, 1);
        await ReplyTo(fake, -4, 1);

        fake.ChangeMyMembership(-3, "kicked");
        var migration = fake.MessageJson(-4, AdminUser, "x");
        migration.Remove("text");
        migration["migrate_to_chat_id"] = -1004444;
        fake.EnqueueUpdate(new JsonObject { ["message"] = migration });
        await host.SettleAsync();

        Assert.False((await host.ChannelAsync(-3))!.Active);
        Assert.Null(await host.ChannelAsync(-4));
        Assert.True((await host.ChannelAsync(-1004444))!.Active);
    }

    [Theory]
    [InlineData("/frobnicate", "Unknown command /frobnicate")]
    [InlineData("/watch add \"\"", "The term is empty")]
    [InlineData("/watch add \"Red Sea", "not closed")]
    [InlineData("/feeds add ftp://example.org/feed", "http:// or https://")]
    [InlineData("/feeds add notaurl", "http:// or https://")]
    public async Task Bad_input_gets_a_clear_reply(string command, string expected)
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        await host.StartReceiverAsync();
        fake.SendText(5, 5, "/subscribe");
        await ReplyTo(fake, 5, 1);

        fake.SendText(5, 5, command);

        Assert.Contains(expected, (await ReplyTo(fake, 5, 2)).PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_long_terms_and_a_full_watchlist_get_clear_replies()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?> { ["AlertBot:Commands:MaxTermsPerChannel"] = "3" });
        await host.StartReceiverAsync();
        fake.SendText(5, 5, "/subscribe");
        await ReplyTo(fake, 5, 1);

        fake.SendText(5, 5, "/watch add " + new string('x', 201));
        fake.SendText(5, 5, "/watch add Hezbollah");

        Assert.Contains("limit is 200", (await ReplyTo(fake, 5, 2)).PlainText, StringComparison.Ordinal);
        Assert.Contains("The watchlist is full (3 of 3", (await ReplyTo(fake, 5, 3)).PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_offset_is_persisted_so_a_restarted_receiver_handles_nothing_twice()
    {
        await using var fake = await StartFakeAsync();
        var directory = Directory.CreateTempSubdirectory("alertbot-telegram-");
        var connection = $"Data Source={Path.Combine(directory.FullName, "alertbot.db")};Pooling=False";
        try
        {
            int last;
            using (var firstStore = new SqliteAlertStore(connection))
            {
                await firstStore.MigrateAsync(CancellationToken.None);
                await using var first = TelegramTestHost.Create(fake, firstStore);
                await first.StartReceiverAsync();
                fake.SendText(5, 5, "/help");
                fake.SendText(5, 5, "/status");
                last = fake.SendText(6, 6, "/help");
                await ReplyTo(fake, 6, 1);
                await first.SettleAsync();
                await first.StopReceiverAsync();
            }

            // A new process: a new store on the same file. And as if Telegram had not yet forgotten the updates
            // (the process died before its next getUpdates confirmed them), they are served again.
            fake.RestoreConfirmedUpdates();
            var callsBefore = fake.CallCount("getUpdates");
            using var secondStore = new SqliteAlertStore(connection);
            Assert.Equal((last + 1).ToString(CultureInfo.InvariantCulture), await secondStore.GetStateAsync(TelegramUpdateReceiver.OffsetStateKey, CancellationToken.None));
            await using var second = TelegramTestHost.Create(fake, secondStore);
            await second.StartReceiverAsync();
            await fake.WaitForCallAsync(_ => fake.CallCount("getUpdates") > callsBefore);
            var firstPoll = fake.Calls.Where(c => c.Method == "getUpdates").ElementAt(callsBefore);
            fake.SendText(6, 6, "/status");
            await ReplyTo(fake, 6, 2);
            await second.SettleAsync();

            Assert.Equal(last + 1, firstPoll.Body["offset"]!.GetValue<int>());
            Assert.Equal(2, fake.SentTo(5).Count);
            Assert.Equal(2, fake.SentTo(6).Count);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_database_that_cannot_give_the_saved_offset_yet_is_waited_for_not_fatal()
    {
        await using var fake = await StartFakeAsync();
        using var sqlite = await TempSqliteStore.CreateAsync();
        await sqlite.Store.SetStateAsync(TelegramUpdateReceiver.OffsetStateKey, "41", CancellationToken.None);
        var flaky = new FailingStateReads(sqlite.Store, failures: 2);
        await using var host = TelegramTestHost.Create(fake, sqlite.Store, faults: flaky, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:ErrorBackoffInitial"] = "00:00:00.010",
            ["AlertBot:Telegram:ErrorBackoffMax"] = "00:00:00.050",
        });

        await host.StartReceiverAsync();
        var poll = await fake.WaitForCallAsync(c => c.Method == "getUpdates", TimeSpan.FromSeconds(10));

        Assert.Equal(41, poll.Body["offset"]!.GetValue<int>()); // the saved offset, not a restart from scratch
        Assert.Equal(3, flaky.Reads);
    }

    /// <summary>The state table is not readable for the first reads (a database still starting).</summary>
    private sealed class FailingStateReads(AlertBot.Storage.DapperAlertStore inner, int failures) : DelegatingAlertStore(inner)
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override Task<string?> GetStateAsync(string key, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _reads) <= failures
                ? throw new InvalidOperationException("database is starting")
                : base.GetStateAsync(key, cancellationToken);
    }

    [Fact]
    public async Task A_409_conflict_is_logged_clearly_and_backed_off_not_hammered()
    {
        await using var fake = await StartFakeAsync();
        var time = new WatchedTimeProvider(DateTimeOffset.UtcNow);
        await using var host = TelegramTestHost.Create(fake, time: time, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:ErrorBackoffInitial"] = "00:00:01",
            ["AlertBot:Telegram:ErrorBackoffMax"] = "00:01:00",
        });
        fake.ConflictOnGetUpdates = true;
        await host.StartReceiverAsync();

        var logged = await host.Logs.WaitForAsync(e => e.EventId.Id == 3302, TimeSpan.FromSeconds(10));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("another instance is polling this token, or a webhook is set", logged.Message, StringComparison.Ordinal);

        // The clock is fake and stands still: the next call can come only once it moves past the first wait (at most
        // 1 s), and the one after only past the second (at least 1 s more). A loop without backoff would have called
        // again many times by the time the second conflict is logged.
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(1));
        await host.Logs.WaitForAsync(e => e.EventId.Id == 3302 && host.Logs.Entries.Count(x => x.EventId.Id == 3302) >= 2, TimeSpan.FromSeconds(10));
        Assert.Equal(2, fake.CallCount("getUpdates"));

        fake.ConflictOnGetUpdates = false;
        await time.AdvanceWhenParkedAsync(TimeSpan.FromSeconds(2));
        fake.SendText(5, 5, "/help");
        await ReplyTo(fake, 5, 1);
        Assert.True(fake.CallCount("getUpdates") >= 2);
    }

    [Fact]
    public async Task A_server_that_answers_getUpdates_at_once_with_nothing_is_asked_at_most_once_per_min_poll_interval()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake, settings: new Dictionary<string, string?>
        {
            ["AlertBot:Telegram:PollTimeout"] = "00:00:00", // the fake then answers at once, as a server ignoring the timeout would
            ["AlertBot:Telegram:MinPollInterval"] = "00:00:00.500",
        });
        await host.StartReceiverAsync();
        var first = await fake.WaitForCallAsync(c => c.Method == "getUpdates");

        // Calls start at least 500 ms apart, so however fast or slow the machine, 2 s of the fake's own clock after
        // the first call hold at most 5 of them (0, 0.5, 1, 1.5, 2 s). The upper bound needs no margin for speed.
        var window = TimeSpan.FromSeconds(2);
        await fake.WaitForCallAsync(c => c.Method == "getUpdates" && c.At - first.At > window, TimeSpan.FromSeconds(30));
        var inWindow = fake.Calls.Count(c => c.Method == "getUpdates" && c.At - first.At <= window);

        Assert.InRange(inWindow, 1, 5);

        // Updates still come at once: the spacing applies to empty answers only.
        fake.SendText(5, 5, "/help");
        Assert.Contains("/watch add", (await ReplyTo(fake, 5, 1)).PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_failures_are_retried_and_a_refused_command_menu_does_not_stop_the_bot()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.FailNext("getMe", 502, "Bad Gateway", times: 2);
        fake.FailNext("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID");

        await host.StartReceiverAsync();
        fake.SendText(5, 5, "/help");

        Assert.Contains("/watch add", (await ReplyTo(fake, 5, 1)).PlainText, StringComparison.Ordinal);
        Assert.Equal(3, fake.CallCount("getMe"));
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3308);
    }

    [Fact]
    public async Task Repeated_failures_back_off_with_growing_capped_waits()
    {
        var backoff = TelegramUpdateReceiver.ErrorBackoff(new TelegramOptions { ErrorBackoffInitial = TimeSpan.FromSeconds(1), ErrorBackoffMax = TimeSpan.FromSeconds(60) });
        var random = new Random(3);
        var waits = Enumerable.Range(0, 12).Select(attempt => backoff.For(attempt, random.NextDouble)).ToArray();

        for (var i = 0; i < waits.Length; i++)
        {
            var ceiling = Math.Min(60, Math.Pow(2, i));
            Assert.InRange(waits[i].TotalSeconds, ceiling / 2, ceiling);
        }

        // A success starts the count afresh: every pipeline execution begins at attempt 0.
        Assert.InRange(backoff.For(0, random.NextDouble).TotalSeconds, 0.5, 1);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Random_updates_and_command_strings_never_break_the_receive_loop()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(-9, AdminUser, "administrator");
        await host.StartReceiverAsync();
        var random = new Random(2026);
        const string alphabet = "/ @\"\u201C\u201D'abcdwatchfeedsaddremovelist0123456789_-#:<>&\n\t\u00e9\u200B";
        string RandomText(int max)
        {
            var chars = new char[random.Next(0, max)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            return new string(chars);
        }

        string[] verbs = ["/start", "/help", "/subscribe", "/unsubscribe", "/watch", "/watch add", "/watch remove", "/watch list",
            "/feeds", "/feeds add", "/feeds remove", "/feeds list", "/test", "/status", "/pause", "/resume", "/x", "/"];
        long[] chats = [-9, 9, -1009999];
        var expectedReplies = chats.ToDictionary(c => c, _ => 0);
        for (var n = 0; n < 150; n++)
        {
            var chat = chats[random.Next(chats.Length)];
            switch (random.Next(6))
            {
                case 0:
                    fake.SendText(chat, random.Next(2) == 0 ? AdminUser : MemberUser, RandomText(80));
                    break;
                case 1:
                    // Unknown update kinds and bare updates must be skipped quietly.
                    fake.EnqueueUpdate(new JsonObject { ["some_future_update"] = new JsonObject { ["x"] = RandomText(10) } });
                    break;
                case 2:
                    var message = fake.MessageJson(chat, AdminUser, "");
                    message.Remove("text");
                    message.Remove(random.Next(2) == 0 ? "from" : "entities");
                    fake.EnqueueUpdate(new JsonObject { [random.Next(2) == 0 ? "message" : "edited_message"] = message });
                    break;
                case 3:
                    fake.ChangeMyMembership(chat, random.Next(2) == 0 ? "member" : "left");
                    break;
                default:
                    var verb = verbs[random.Next(verbs.Length)];
                    var bot = random.Next(4) == 0 ? "@AlertNewsBot" : "";
                    var text = verb == "/" ? "/" + RandomText(10) : verb.Replace(" ", bot + " ", StringComparison.Ordinal) + (verb.Contains(' ', StringComparison.Ordinal) ? "" : bot) + " " + RandomText(60);
                    fake.SendText(chat, random.Next(2) == 0 ? AdminUser : MemberUser, text);
                    expectedReplies[chat]++;
                    break;
            }
        }

        await host.SettleAsync();
        foreach (var chat in chats)
        {
            fake.SendText(chat, AdminUser, "/status");
            expectedReplies[chat]++;
        }

        await host.SettleAsync();
        foreach (var chat in chats)
        {
            Assert.Equal(expectedReplies[chat], fake.SentTo(chat).Count(m => m.ReplyTo is not null));
        }

        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id is 3101 or 3201);
    }

    [Fact]
    public async Task The_token_never_appears_in_any_log_line()
    {
        await using var fake = await StartFakeAsync();
        await using var host = TelegramTestHost.Create(fake);
        fake.SetMember(Group, AdminUser, "administrator");
        fake.FailNext("getUpdates", 500, "Internal Server Error");
        fake.FailNext("getUpdates", 401, "Unauthorized");
        await host.StartReceiverAsync();
        fake.SendText(Group, AdminUser, "/subscribe");
        fake.SendText(Group, MemberUser, "/watch add x");
        await ReplyTo(fake, Group, 2);
        fake.Forbid(Group);
        await host.Sink.DeliverAsync(new Core.Alerts.OutboxEntry(1, 1, new ChannelRef("telegram", Group.ToString(CultureInfo.InvariantCulture)), "k", new Core.Summaries.AlertMessage { Title = "t", Source = "s" }, 0, default, default), CancellationToken.None);

        Assert.NotEmpty(host.Logs.Entries);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3303);
        var secret = fake.Token.Split(':')[1];
        Assert.DoesNotContain(secret, host.Logs.AllWritten, StringComparison.Ordinal);
    }
}

public sealed class TelegramMalformedUpdateTests
{
    [Fact]
    public async Task An_update_the_client_library_cannot_read_is_skipped_and_polling_goes_on()
    {
        await using var fake = await FakeTelegramServer.StartAsync(limits: new FakeTelegramLimits(TimeSpan.Zero, 100, TimeSpan.FromSeconds(1), 100, TimeSpan.FromSeconds(1)));
        await using var host = TelegramTestHost.Create(fake);
        await host.StartReceiverAsync();

        fake.SendText(5, 5, "/help");
        fake.EnqueueRawUpdate(new JsonObject { ["update_id"] = 5000, ["message"] = new JsonObject { ["chat"] = "not a chat", ["date"] = "yesterday" } });
        fake.EnqueueRawUpdate(new JsonObject { ["update_id"] = 5001, ["message"] = new JsonObject { ["message_id"] = 1, ["date"] = 0, ["chat"] = new JsonObject { ["id"] = 5, ["type"] = "private" }, ["text"] = "/status" } });

        await fake.WaitForMessageAsync(_ => fake.SentTo(5).Count >= 2);

        fake.SendText(5, 5, "/help");
        await fake.WaitForMessageAsync(_ => fake.SentTo(5).Count >= 3);
        await host.SettleAsync();

        Assert.Equal(3, fake.SentTo(5).Count);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("5000", StringComparison.Ordinal));
    }
}
