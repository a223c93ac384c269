using AlertBot.Core.Channels;
using AlertBot.Core.Commands;
using AlertBot.Core.Persistence;
using AlertBot.Core.Pipeline;
using AlertBot.Storage;
using AlertBot.Storage.Sqlite;
using AlertBot.Testing.Commands;
using AlertBot.Testing.Fakes;
using AlertBot.Testing.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Core.Tests.Commands;

/// <summary>The command rate limit, through the processor that every adapter resolves (AddAlertBotCommands).</summary>
public sealed class CommandRateLimitTests
{
    private static readonly ChannelRef Group = new(Platforms.Telegram, "-1001");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _logs = new();

    private ServiceProvider CreateServices(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs.AsProvider()));
        services.AddSingleton<TimeProvider>(_time);
        services.AddCommandStore(TestStores.InMemory());
        services.AddSingleton(CommandProcessorTests.Actors);
        services.AddSingleton(CommandProcessorTests.Presets);
        services.AddOptions<PollingOptions>();
        services.AddAlertBotCommands(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private ICommandProcessor CreateSut(Dictionary<string, string?>? settings = null) =>
        CreateServices(settings).GetRequiredService<ICommandProcessor>();

    private static CommandContext In(ChannelRef channel, string user) => new(channel, "Newsroom", user, UserIsAdmin: false, IsPrivate: false);

    private static Task<CommandReply> Run(ICommandProcessor sut, CommandContext context, string text = "/help") =>
        sut.ExecuteAsync(text, context, CancellationToken.None);

    [Fact]
    public async Task A_chat_gets_its_allowance_then_one_slow_down_then_silence_until_it_refills()
    {
        var sut = CreateSut();

        // 20 different users, so only the chat's limit (20 a minute by default) is in play.
        for (var i = 0; i < 20; i++)
        {
            var reply = await Run(sut, In(Group, $"u{i}"));
            Assert.False(reply.IsError, reply.Text);
            Assert.Contains("/watch add", reply.Text, StringComparison.Ordinal);
        }

        var warning = await Run(sut, In(Group, "u20"));
        Assert.True(warning.IsError);
        Assert.False(warning.Silent);
        Assert.Equal("Slow down: This chat has sent too many commands. Try again in 3 s; until then I will not answer.", warning.Text);
        for (var i = 0; i < 30; i++)
        {
            var flood = await Run(sut, In(Group, $"u{21 + i}"), "/watch add spam");
            Assert.True(flood.Silent);
            Assert.Equal("", flood.Text);
        }

        // A refused command costs nothing: after the 3 s the warning named, exactly one command fits.
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.False((await Run(sut, In(Group, "late"))).Silent);
        Assert.True((await Run(sut, In(Group, "later"))).Silent);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 2002);
    }

    [Fact]
    public async Task A_user_is_limited_across_chats_while_others_in_the_same_chat_are_not()
    {
        var sut = CreateSut();
        for (var i = 0; i < 10; i++)
        {
            Assert.False((await Run(sut, In(new ChannelRef(Platforms.Telegram, $"-{i + 1}"), "flooder"))).IsError);
        }

        var warning = await Run(sut, In(Group, "flooder"));
        Assert.StartsWith("Slow down: You have sent too many commands. Try again in 6 s", warning.Text, StringComparison.Ordinal);
        Assert.True((await Run(sut, In(new ChannelRef(Platforms.Telegram, "-99"), "flooder"))).Silent);
        Assert.False((await Run(sut, In(Group, "someone-else"))).IsError);

        // The same digits on Discord are another user with their own allowance.
        Assert.False((await Run(sut, In(new ChannelRef(Platforms.Discord, "-99"), "flooder"))).IsError);
    }

    [Fact]
    public async Task Chats_are_limited_separately_and_the_same_id_on_another_platform_is_another_chat()
    {
        var sut = CreateSut(new() { ["AlertBot:Commands:ChatCommandsPerMinute"] = "2", ["AlertBot:Commands:UserCommandsPerMinute"] = "100" });
        await Run(sut, In(Group, "a"));
        await Run(sut, In(Group, "a"));
        Assert.True((await Run(sut, In(Group, "a"))).IsError);

        Assert.False((await Run(sut, In(new ChannelRef(Platforms.Telegram, "-1002"), "a"))).IsError);
        Assert.False((await Run(sut, In(new ChannelRef(Platforms.Discord, Group.ExternalId), "a"))).IsError);
    }

    [Fact]
    public async Task A_new_flood_after_a_quiet_spell_is_warned_again_but_a_steady_flood_only_once()
    {
        var sut = CreateSut(new() { ["AlertBot:Commands:ChatCommandsPerMinute"] = "6", ["AlertBot:Commands:UserCommandsPerMinute"] = "100" });
        var warnings = 0;
        var answered = 0;

        // Two minutes of one command a second: 6 at once, then one every 10 s as the bucket refills, one warning.
        for (var second = 0; second < 120; second++)
        {
            var reply = await Run(sut, In(Group, "u"));
            warnings += reply.Text.StartsWith("Slow down", StringComparison.Ordinal) ? 1 : 0;
            answered += reply.IsError ? 0 : 1;
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, warnings);
        Assert.InRange(answered, 6 + 11, 6 + 12);

        _time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 6; i++)
        {
            Assert.False((await Run(sut, In(Group, "u"))).IsError);
        }

        Assert.StartsWith("Slow down", (await Run(sut, In(Group, "u"))).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_commands_never_reach_the_store()
    {
        using var services = CreateServices(new() { ["AlertBot:Commands:ChatCommandsPerMinute"] = "3" });
        var sut = services.GetRequiredService<ICommandProcessor>();
        var admin = Group with { };
        var context = new CommandContext(admin, "Newsroom", "1", UserIsAdmin: true, IsPrivate: false);
        Assert.False((await sut.ExecuteAsync("/subscribe", context, default)).IsError);
        await sut.ExecuteAsync("/watch add one", context, default);
        await sut.ExecuteAsync("/watch add two", context, default);

        for (var i = 0; i < 20; i++)
        {
            await sut.ExecuteAsync($"/watch add flood{i}", context, default);
        }

        var store = services.GetRequiredService<DapperAlertStore>();
        var channel = await store.GetChannelAsync(Group, default);
        var terms = (await store.ListWatchTermsAsync(channel!.Id, default)).Select(t => t.Text).ToArray();
        Assert.Equal(["Qaani", "Houthis", "Red Sea", "one", "two"], terms);
    }

    [Fact]
    public async Task The_platforms_admin_check_runs_only_for_changes_that_passed_the_limit()
    {
        using var services = CreateServices(new() { ["AlertBot:Commands:ChatCommandsPerMinute"] = "4" });
        var sut = services.GetRequiredService<ICommandProcessor>();
        var checks = 0;
        var context = new CommandContext(Group, "Newsroom", "1", UserIsAdmin: false, IsPrivate: false, AdminCheck: _ =>
        {
            Interlocked.Increment(ref checks);
            return Task.FromResult(true);
        });

        Assert.False((await sut.ExecuteAsync("/subscribe", context, default)).IsError);
        Assert.False((await sut.ExecuteAsync("/watch list", context, default)).IsError);
        for (var i = 0; i < 10; i++)
        {
            await sut.ExecuteAsync($"/watch add t{i}", context, default);
        }

        // /subscribe and the two /watch add that fit; never for /watch list, never for the refused ones.
        Assert.Equal(3, checks);
        var store = services.GetRequiredService<DapperAlertStore>();
        var terms = await store.ListWatchTermsAsync((await store.GetChannelAsync(Group, default))!.Id, default);
        Assert.Equal(["Qaani", "Houthis", "Red Sea", "t0", "t1"], terms.Select(t => t.Text));
    }

    [Theory]
    [InlineData("ChatCommandsPerMinute", "0")]
    [InlineData("ChatCommandsPerMinute", "10001")]
    [InlineData("UserCommandsPerMinute", "0")]
    [InlineData("UserCommandsPerMinute", "-5")]
    public void Limits_out_of_range_are_refused_naming_the_key(string key, string value)
    {
        using var services = CreateServices(new() { [$"AlertBot:Commands:{key}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CommandOptions>>().Value);

        Assert.Contains($"AlertBot:Commands:{key}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_twenty_a_minute_per_chat_and_ten_per_user_and_adapters_get_the_limited_processor()
    {
        using var services = CreateServices();

        var options = services.GetRequiredService<IOptions<CommandOptions>>().Value;
        Assert.Equal(20, options.ChatCommandsPerMinute);
        Assert.Equal(10, options.UserCommandsPerMinute);
        Assert.IsType<RateLimitedCommandProcessor>(services.GetRequiredService<ICommandProcessor>());
    }

    [Fact]
    public void Idle_senders_are_forgotten_so_a_crowd_of_one_off_senders_cannot_grow_memory_without_bound()
    {
        var limiter = new CommandRateLimiter(Options.Create(new CommandOptions()), _time);
        for (var i = 0; i < 60_000; i++)
        {
            Assert.True(limiter.TryAcquire(new ChannelRef(Platforms.Telegram, $"chat{i}"), $"user{i}").Allowed);
            if (i % 2_000 == 1_999)
            {
                _time.Advance(TimeSpan.FromMinutes(1));
            }
        }

        // Two buckets per sender; without forgetting, 120,000 would be tracked.
        Assert.InRange(limiter.TrackedCount, 1, 24_000);
    }
}
