/* /bin/true: the smallest program, for the process benchmarks. */
int main(void);

int main(void)
{
	return 0;
}
