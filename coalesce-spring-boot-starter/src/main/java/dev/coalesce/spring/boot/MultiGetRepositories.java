package dev.coalesce.spring.boot;

import dev.coalesce.spring.MultiGetJpaRepository;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactoryBean;

/**
 * Makes {@code findAllById} of every Spring Data JPA repository load through the multi-get: gives
 * each repository factory bean {@link MultiGetJpaRepository} as its base class, before it builds
 * the repository. A repository whose configuration names a base class of its own ({@code
 * repositoryBaseClass} of {@code @EnableJpaRepositories}) keeps it.
 *
 * <p>Why a post-processor rather than the {@code repositoryBaseClass} of an auto-configured
 * {@code @EnableJpaRepositories}: Spring Boot registers repositories only when the application
 * declares no {@code @EnableJpaRepositories} of its own, so the attribute would be lost exactly for
 * the applications that configure repositories themselves. The post-processor reaches every
 * repository however it was registered.
 */
final class MultiGetRepositories implements BeanPostProcessor, BeanFactoryAware {

  private ConfigurableListableBeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName)
      throws BeansException {
    if (bean instanceof JpaRepositoryFactoryBean<?, ?, ?> repository
        && !namesItsOwnBaseClass(beanName)) {
      repository.setRepositoryBaseClass(MultiGetJpaRepository.class);
    }
    return bean;
  }

  private boolean namesItsOwnBaseClass(String beanName) {
    return beanFactory.containsBeanDefinition(beanName)
        && beanFactory
            .getBeanDefinition(beanName)
            .getPropertyValues()
            .contains("repositoryBaseClass");
  }
}
