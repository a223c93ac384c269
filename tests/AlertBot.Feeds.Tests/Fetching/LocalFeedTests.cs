using AlertBot.Core.Feeds;
using AlertBot.Testing.Feeds;

namespace AlertBot.Feeds.Tests.Fetching;

public sealed class LocalFeedTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("alertbot-local-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static FeedReader CreateSut() => FeedReader.Create();

    private string WriteFeed(string name)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, SampleFeeds.Rss("Local", new SampleItem("From disk", "http://x.test/1")));
        return path;
    }

    [Fact]
    public async Task Plain_path_and_file_url_are_read()
    {
        var path = WriteFeed("feed.xml");

        var byPath = Assert.IsType<FeedReadResult.Success>(await CreateSut().ReadAsync(path, FeedValidators.None, CancellationToken.None));
        var byUrl = Assert.IsType<FeedReadResult.Success>(await CreateSut().ReadAsync(new Uri(path).AbsoluteUri, FeedValidators.None, CancellationToken.None));

        Assert.Equal("From disk", byPath.Items[0].Title);
        Assert.Equal("From disk", byUrl.Items[0].Title);
    }

    [Fact]
    public async Task Relative_path_falls_back_to_the_application_directory()
    {
        var name = $"alertbot-test-{Guid.NewGuid():N}.xml";
        var path = Path.Combine(AppContext.BaseDirectory, name);
        File.Copy(WriteFeed("copy.xml"), path);
        try
        {
            var result = await CreateSut().ReadAsync(name, FeedValidators.None, CancellationToken.None);

            Assert.Equal("From disk", Assert.IsType<FeedReadResult.Success>(result).Items[0].Title);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Unchanged_file_is_not_modified()
    {
        var path = WriteFeed("stamp.xml");
        var reader = CreateSut();

        var first = Assert.IsType<FeedReadResult.Success>(await reader.ReadAsync(path, FeedValidators.None, CancellationToken.None));
        Assert.IsType<FeedReadResult.NotModified>(await reader.ReadAsync(path, first.Validators, CancellationToken.None));

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.IsType<FeedReadResult.Success>(await reader.ReadAsync(path, first.Validators, CancellationToken.None));
    }

    [Theory]
    [InlineData("does/not/exist.xml")]
    [InlineData("file:///does/not/exist.xml")]
    public async Task Missing_file_is_not_found(string source)
    {
        var failure = Assert.IsType<FeedReadResult.Failure>(await CreateSut().ReadAsync(source, FeedValidators.None, CancellationToken.None));

        Assert.Equal(FeedErrorKind.NotFound, failure.Kind);
    }

    [Theory]
    [InlineData("ftp://example.test/feed.xml")]
    [InlineData("javascript:alert(1)")]
    public async Task Other_schemes_are_blocked(string source)
    {
        var failure = Assert.IsType<FeedReadResult.Failure>(await CreateSut().ReadAsync(source, FeedValidators.None, CancellationToken.None));

        Assert.Equal(FeedErrorKind.Blocked, failure.Kind);
    }
}
